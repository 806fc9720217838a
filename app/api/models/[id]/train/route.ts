import { requestTraining } from "@/lib/training/service";
import { json, route } from "../../../_lib/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const POST = route("editor", async (_req: Request, { params }: Ctx, who) => {
  const job = await requestTraining((await params).id, { id: who.userId, name: who.name });
  return json({ job_id: job.id, status: job.status }, 202);
});
