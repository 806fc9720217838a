import { deleteEnsemble, getEnsemble } from "@/lib/ensemble/service";
import { json, route } from "../../_lib/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const GET = route("viewer", async (_req: Request, { params }: Ctx) => json(await getEnsemble((await params).id)));

export const DELETE = route("editor", async (_req: Request, { params }: Ctx) => json(await deleteEnsemble((await params).id)));
