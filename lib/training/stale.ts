import type mongoose from "mongoose";
import { Ensemble } from "@/models/Ensemble";

/**
 * Marks every built ensemble over a model stale. Called before the model's
 * current version moves, so there is no moment in which the pointer has moved
 * and an ensemble still reads as fresh; a crash in between leaves an ensemble
 * marked stale that a rebuild clears.
 */
export async function markEnsemblesStale(modelId: mongoose.Types.ObjectId): Promise<void> {
  await Ensemble.updateMany({ base_model_ids: modelId, run_id: { $ne: null }, stale: { $ne: true } }, { $set: { stale: true } });
}
