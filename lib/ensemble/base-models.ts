import mongoose from "mongoose";
import { ArtifactError, defaultArtifactStore, type ArtifactStore } from "@/lib/artifacts";
import { readDatasetText } from "@/lib/datasets";
import { ValidationError, UserFacingError } from "@/lib/errors";
import { LockHeldError } from "@/lib/jobs/errors";
import { lockTarget, releaseLock } from "@/lib/jobs/locks";
import { childLogger } from "@/lib/log";
import type { ModelPipeline } from "@/lib/ml/pipeline";
import { loadTrainedModel } from "@/lib/training/load";
import { assertTrainingWithinLimit } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { newestIntactVersion } from "@/lib/training/versions";
import { ModelConfig, type ModelConfigLean } from "@/models/ModelConfig";


const log = childLogger("ensemble");

/** A base model could neither be loaded nor retrained; the message names it and what is missing. */
export class BaseModelUnavailableError extends UserFacingError {
  readonly modelId: string;
  constructor(modelId: string, message: string) {
    super(message);
    this.name = "BaseModelUnavailableError";
    this.modelId = modelId;
  }
}

export interface ObtainedBaseModel {
  modelId: string;
  name: string;
  runId: string;
  pipeline: ModelPipeline;
  source: "artifact" | "retrained";
  /** The loaded run's artifact checksums, as verified on load; null for a model just retrained. */
  checksums: { model: string | null; scaler: string | null; features: string | null } | null;
  ms: number;
  note: string | null;
}

/** A base model whose artifacts could not be used, and why: retrainBaseModel's input. */
export interface UnusableBaseModel {
  modelId: string;
  doc: ModelConfigLean;
  reason: string;
  /** Time spent finding that out, counted in the retrain's recorded time. */
  ms: number;
}

/**
 * The fast path for one base model: its artifacts present and verified -> the
 * loaded model; any missing or failing verification -> why, for
 * retrainBaseModel. `doc` is its config as the caller just read it; null (it no
 * longer exists) is refused here.
 */
export async function loadBaseModel(modelId: string, doc: ModelConfigLean | null, store: ArtifactStore): Promise<ObtainedBaseModel | UnusableBaseModel> {
  const t0 = performance.now();
  if (!doc) throw new BaseModelUnavailableError(modelId, `Base model ${modelId} no longer exists; remove it from the ensemble.`);
  try {
    const loaded = await loadTrainedModel(doc, store);
    const ms = performance.now() - t0;
    log.info({ model_id: modelId, run_id: loaded.runId, source: "artifact", ms: Math.round(ms) }, "base model loaded from artifacts");
    const checksums = { model: doc.checksums?.model ?? null, scaler: doc.checksums?.scaler ?? null, features: doc.checksums?.features ?? null };
    return { modelId, name: doc.name, runId: loaded.runId, pipeline: loaded.pipeline, source: "artifact", checksums, ms, note: null };
  } catch (err) {
    if (!(err instanceof ArtifactError)) throw err;
    return { modelId, doc, reason: err.message, ms: performance.now() - t0 };
  }
}

/** Whether loadBaseModel gave a model or the reason it could not. */
export function isUnusable(o: ObtainedBaseModel | UnusableBaseModel): o is UnusableBaseModel {
  return "reason" in o;
}

/**
 * The slow path for a base model loadBaseModel could not use: retrain it from
 * training_csv, which saves fresh artifacts and updates the config, and keep the
 * model just trained; neither possible -> BaseModelUnavailableError naming the
 * model and what is missing.
 */
export async function retrainBaseModel(
  unusable: UnusableBaseModel,
  opts: {
    store?: ArtifactStore;
    onProgress?: (fraction: number, message?: string) => void | Promise<void>;
    /** The build's job id: a retrain locks the model under it, so the job's end (or its abandonment) releases it. */
    jobId?: string;
  } = {},
): Promise<ObtainedBaseModel> {
  const { modelId, doc, reason } = unusable;
  const store = opts.store ?? defaultArtifactStore();
  const t0 = performance.now() - unusable.ms;
  log.warn({ model_id: modelId, run_id: doc.run_id ?? null, reason }, "base model artifacts unusable; retraining from training_csv");
  try {
    if (doc.retrainable === false) throw new ValidationError(`its dataset "${doc.training_csv}" was deleted.`);
    // As a train request is refused: a limit lowered since the model was created holds here too.
    await assertTrainingWithinLimit({ ...doc, hyperparameters: (doc.hyperparameters ?? {}) as Record<string, number> });
    await readDatasetText(doc.training_csv);
  } catch (err) {
    const why = err instanceof ValidationError ? err.message : String(err);
    // Neither the current version nor a retrain: an earlier version may still be whole.
    const earlier = await newestIntactVersion(modelId, doc.run_id ?? null, store);
    const rollback = earlier
      ? ` Its newest intact earlier version is run ${earlier.run_id} (trained ${earlier.finished_at ?? earlier.started_at}); make it current with POST /api/models/${modelId}/versions/${earlier.run_id}/promote, then build again.`
      : " No earlier version of it is intact either.";
    throw new BaseModelUnavailableError(modelId, `Base model "${doc.name}" cannot be used: ${reason} It cannot be retrained either: ${why}${rollback}`);
  }
  // Retraining writes the model's artifacts and document: take its lock, as a train request would.
  const owner = opts.jobId ?? String(new mongoose.Types.ObjectId());
  let lock;
  try {
    lock = await lockTarget(ModelConfig, doc._id, owner);
  } catch (err) {
    if (!(err instanceof LockHeldError)) throw err;
    throw new BaseModelUnavailableError(
      modelId,
      `Base model "${doc.name}" has to be retrained (${reason}) but another job is training or changing it right now; build the ensemble again when that job has finished.`,
    );
  }
  let trained;
  try {
    trained = await trainModel(modelId, { store, trigger: "ensemble", onProgress: opts.onProgress });
  } catch (err) {
    // Inside a job the lock stays until the job ends, which puts the model back as a cancel or an abandonment requires.
    if (!opts.jobId) await releaseLock(lock, { kind: "failed", error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
  await releaseLock(lock, { kind: "succeeded" });
  const { result, pipeline } = trained;
  const ms = performance.now() - t0;
  log.info({ model_id: modelId, run_id: result.run_id, source: "retrained", ms: Math.round(ms) }, "base model retrained");
  return { modelId, name: doc.name, runId: result.run_id, pipeline, source: "retrained", checksums: null, ms, note: reason };
}
