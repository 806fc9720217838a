import { config } from "@/lib/config";
import { listDatasets, saveDatasetUpload } from "@/lib/datasets";
import { json, route } from "../_lib/respond";
import { datasetUploadFrom } from "../_lib/upload";

export const dynamic = "force-dynamic";

export const GET = route("viewer", async () => json({ datasets: await listDatasets() }));

/** Multipart (field `file`, optional field `name`) or a text/csv body with ?name=; streamed, never buffered whole. */
export const POST = route(
  "editor",
  async (req: Request) => json(await saveDatasetUpload(await datasetUploadFrom(req, config().maxUploadBytes)), 201),
  "upload",
);
