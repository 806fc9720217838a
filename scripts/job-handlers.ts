// What each kind of job does: the wiring between the job infrastructure
// (lib/jobs, which knows no domain) and training and ensembling.
import mongoose from "mongoose";
import { connectDb } from "@/lib/db";
import { buildEnsemble } from "@/lib/ensemble/build";
import type { JobHandlers } from "@/lib/jobs/runner";
import { trainModel } from "@/lib/training/train";
import { Ensemble } from "@/models/Ensemble";
import type { JobKind } from "@/models/Job";
import { ModelConfig } from "@/models/ModelConfig";
import { BUSY_STATUSES } from "@/models/statuses";

export const jobHandlers: JobHandlers = {
  train_model: async (modelId, ctx) => (await trainModel(modelId, { onProgress: (f, m) => ctx.progress(f, m), trigger: "manual" })).result,
  train_ensemble: (ensembleId, ctx) => buildEnsemble(ensembleId, { onProgress: (f, m) => ctx.progress(f, m) }),
};

/** A job given up after repeated interruptions: release its target's lock and say why. */
export async function abandonTarget(kind: JobKind, targetId: string, reason: string): Promise<void> {
  await connectDb();
  const filter = { _id: new mongoose.Types.ObjectId(targetId), status: { $in: BUSY_STATUSES } };
  const update = { $set: { status: "failed" as const, last_error: reason } };
  if (kind === "train_model") await ModelConfig.updateOne(filter, update);
  else await Ensemble.updateOne(filter, update);
}
