import { requestEnsembleTraining } from "@/lib/ensemble/service";
import { json, route } from "../../../_lib/respond";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const POST = route("editor", async (_req: Request, { params }: Ctx) => {
  const job = await requestEnsembleTraining((await params).id);
  return json({ job_id: job.id, status: job.status }, 202);
});
