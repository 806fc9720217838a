import { cancelJob } from "@/lib/jobs/cancel";
import { json, route } from "../../../_lib/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const POST = route("editor", async (_req: Request, { params }: Ctx) => json(await cancelJob((await params).id), 202));
