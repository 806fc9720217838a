import { createModelConfig, listModels } from "@/lib/training/service";
import { json, readJson, route } from "../_lib/respond";

export const dynamic = "force-dynamic";

export const GET = route("viewer", async () => json({ models: await listModels() }));

export const POST = route("editor", async (req: Request) => json(await createModelConfig(await readJson(req)), 201));
