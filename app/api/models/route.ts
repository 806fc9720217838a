import { createModelConfig, listModels } from "@/lib/training/service";
import { json, pageOf, readJson, route } from "../_lib/respond";

export const dynamic = "force-dynamic";

export const GET = route("viewer", async (req: Request) => json(await listModels(pageOf(req))));

export const POST = route("editor", async (req: Request) => json(await createModelConfig(await readJson(req)), 201));
