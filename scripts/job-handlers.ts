// What each kind of job does: the wiring between the job infrastructure
// (lib/jobs, which knows no domain) and training and ensembling. The target
// collections are named by the services that request the jobs
// (lib/training/service.ts, lib/ensemble/service.ts) and recorded in each lock,
// so the worker and the API can release a lock without knowing its domain.
import { buildEnsemble } from "@/lib/ensemble/build";
import type { JobHandlers } from "@/lib/jobs/runner";
import { trainModel } from "@/lib/training/train";

export const jobHandlers: JobHandlers = {
  train_model: async (modelId, ctx) =>
    (await trainModel(modelId, { onProgress: (f, m) => ctx.progress(f, m), trigger: "manual", startedBy: ctx.requestedBy })).result,
  // The build locks any base model it has to retrain under this job's id.
  train_ensemble: (ensembleId, ctx) => buildEnsemble(ensembleId, { onProgress: (f, m) => ctx.progress(f, m), jobId: ctx.jobId }),
};
