import { config } from "@/lib/config";
import { listAllDatasets, storeDataset } from "@/lib/forecast/datasets";
import { json, route } from "../_lib/respond";
import { datasetUploadFrom } from "../_lib/upload";

export const dynamic = "force-dynamic";

export const GET = route("viewer", async () => json({ datasets: await listAllDatasets() }));

/**
 * Multipart (field `file`, optional fields `name` and `kind`) or a text/csv body
 * with ?name= (and ?kind=); streamed, never buffered whole. A header with the
 * result columns makes a games dataset unless kind is "table".
 */
export const POST = route(
  "editor",
  async (req: Request) => {
    const upload = await datasetUploadFrom(req, config().maxUploadBytes);
    return json(await storeDataset(upload, upload.kind), 201);
  },
  "upload",
);
