import { getModel } from "@/lib/training/service";
import { json, route } from "../../../_lib/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** Every run of the model, newest first, and which one is current. */
export const GET = route("viewer", async (_req: Request, { params }: Ctx) => {
  const model = await getModel((await params).id);
  return json({ current_run_id: model.run_id, versions: model.versions, promotions: model.promotions });
});
