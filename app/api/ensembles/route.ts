import { createEnsemble, listEnsembles } from "@/lib/ensemble/service";
import { json, pageOf, readJson, route } from "../_lib/respond";

export const dynamic = "force-dynamic";

export const GET = route("viewer", async (req: Request) => json(await listEnsembles(pageOf(req))));

export const POST = route("editor", async (req: Request) => json(await createEnsemble(await readJson(req)), 201));
