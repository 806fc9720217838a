import { deleteModel, getModel, updateModelConfig } from "@/lib/training/service";
import { json, readJson, route } from "../../_lib/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const GET = route("viewer", async (_req: Request, { params }: Ctx) => json(await getModel((await params).id)));

export const PATCH = route("editor", async (req: Request, { params }: Ctx) =>
  json(await updateModelConfig((await params).id, await readJson(req))),
);

export const DELETE = route("editor", async (_req: Request, { params }: Ctx) => json(await deleteModel((await params).id)));
