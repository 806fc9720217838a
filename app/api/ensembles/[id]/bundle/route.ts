import { exportEnsembleBundle } from "@/lib/bundles";
import { download, route } from "../../../_lib/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** The ensemble with the exact base versions it was built on, as a portable bundle. */
export const GET = route("viewer", async (_req: Request, { params }: Ctx) => {
  const bundle = await exportEnsembleBundle((await params).id);
  return download(bundle, `${bundle.ensemble?.name ?? "ensemble"}.bundle.json`);
});
