import { importBundle } from "@/lib/bundles";
import { config } from "@/lib/config";
import { json, readJson, route } from "../_lib/respond";

export const dynamic = "force-dynamic";

/** Imports a bundle exported by GET /api/models/:id/bundle or /api/ensembles/:id/bundle; 201 with the new ids. */
export const POST = route("editor", async (req: Request) => json(await importBundle(await readJson(req, config().maxUploadBytes)), 201));
