import mongoose from "mongoose";
import { connectDb } from "@/lib/db";
import { trainModel } from "@/lib/training/train";
import { Ensemble } from "@/models/Ensemble";
import { ModelConfig } from "@/models/ModelConfig";
import type { JobKind } from "@/models/Job";
import type { JobHandlers } from "./runner";

/** What each kind of job does. */
export const jobHandlers: JobHandlers = {
  train_model: (modelId, ctx) => trainModel(modelId, { onProgress: (f, m) => ctx.progress(f, m), trigger: "manual" }),
  train_ensemble: async (ensembleId, ctx) => {
    const { buildEnsemble } = await import("@/lib/ensemble/build");
    return buildEnsemble(ensembleId, { onProgress: (f, m) => ctx.progress(f, m) });
  },
};

/** A job given up after repeated interruptions: release its target's lock and say why. */
export async function abandonTarget(kind: JobKind, targetId: string, reason: string): Promise<void> {
  await connectDb();
  const filter = { _id: new mongoose.Types.ObjectId(targetId), status: { $in: ["queued", "training"] as Array<"queued" | "training"> } };
  const update = { $set: { status: "failed" as const, last_error: reason } };
  if (kind === "train_model") await ModelConfig.updateOne(filter, update);
  else await Ensemble.updateOne(filter, update);
}
