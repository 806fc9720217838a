import { promoteVersion } from "@/lib/training/versions";
import { json, route } from "../../../../../_lib/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string; run_id: string }> };

/** Makes an earlier version the current one (a rollback), after verifying its artifacts. */
export const POST = route("editor", async (_req: Request, { params }: Ctx, who) => {
  const { id, run_id } = await params;
  return json(await promoteVersion(id, run_id, { id: who.userId, name: who.name }));
});
