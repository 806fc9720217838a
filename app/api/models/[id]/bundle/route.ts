import { exportModelBundle } from "@/lib/bundles";
import { download, route } from "../../../_lib/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** The model's current version as a portable bundle (POST it to /api/bundles on another deployment). */
export const GET = route("viewer", async (_req: Request, { params }: Ctx) => {
  const bundle = await exportModelBundle((await params).id);
  return download(bundle, `${bundle.models[0].name}.bundle.json`);
});
