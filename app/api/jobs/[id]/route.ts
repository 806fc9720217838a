import { getJob } from "@/lib/jobs/queue";
import { json, route } from "../../_lib/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const GET = route("viewer", async (_req: Request, { params }: Ctx) => json(await getJob((await params).id)));
