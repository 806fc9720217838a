import { importArchive } from "@/lib/bundles/archive";
import { config } from "@/lib/config";
import { json, readBytesCapped, route } from "../../_lib/respond";

export const dynamic = "force-dynamic";

/**
 * Imports a model version's archive (GET /api/models/:id/versions/:run_id/bundle);
 * ?name= imports it under another name. 201 with the new model's id.
 */
export const POST = route(
  "editor",
  async (req: Request) => {
    const name = new URL(req.url).searchParams.get("name") ?? undefined;
    return json(await importArchive(await readBytesCapped(req, config().maxUploadBytes), { name }), 201);
  },
  "archive",
);
