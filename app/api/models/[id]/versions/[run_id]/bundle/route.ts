import { exportModelArchive } from "@/lib/bundles/archive";
import { downloadBytes, route } from "../../../../../_lib/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string; run_id: string }> };

/** One version of the model as a zip archive (its three artifacts and a manifest); POST it to /api/models/import on another deployment. */
export const GET = route("viewer", async (_req: Request, { params }: Ctx) => {
  const { id, run_id } = await params;
  const archive = await exportModelArchive(id, run_id);
  return downloadBytes(archive.bytes, archive.fileName, "application/zip");
});
