import mongoose from "mongoose";
import { defaultArtifactStore, deleteArtifactSet, newRunId, saveArtifactSet, type ArtifactStore } from "@/lib/artifacts";
import { readDataset } from "@/lib/datasets";
import { connectDb } from "@/lib/db";
import { ConflictError, NotFoundError, publicMessage } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { parseCsv, toNumericMatrix } from "@/lib/ml/csv";
import type { Metrics } from "@/lib/ml/metrics";
import { fitAndMeasure, type Calibration, type ModelPipeline, type PipelineSpec } from "@/lib/ml/pipeline";
import { ModelConfig } from "@/models/ModelConfig";
import { artifactFieldsFor } from "./artifact-refs";
import { markEnsemblesStale } from "./stale";
import { deleteVersionsOf, recordFailedRun, recordVersion, type Actor, type RunFacts, type Trigger } from "./versions";

const log = childLogger("training");

type Progress = (fraction: number, message?: string) => void | Promise<void>;

export interface TrainOptions {
  onProgress?: Progress;
  trigger?: Trigger;
  /** Who asked for this run; null for the system (the demo seed, an ensemble's slow path). */
  startedBy?: Actor | null;
  store?: ArtifactStore;
}

/** What a training job reports (plain JSON). */
export interface TrainResult {
  model_id: string;
  run_id: string;
  training_ms: number;
  metrics: Metrics;
  paths: { model: string; scaler: string; features: string };
}

/**
 * The seed's save_artifacts_for_trained_model: writes the pipeline's three
 * artifacts under the run's fresh run_id, records the run as a version, then
 * points the config's seed fields (paths, checksums, run_id,
 * artifacts_saved_at) at it in ONE update. Nothing points at files that are not
 * all saved, and nothing is deleted: earlier versions stay for rollback until
 * the retention sweep retires them.
 */
export async function saveArtifactsForTrainedModel(
  run: RunFacts,
  pipeline: ModelPipeline,
  outcome: { metrics: Metrics; training_ms: number },
  store: ArtifactStore = defaultArtifactStore(),
): Promise<TrainResult> {
  const { modelId, runId } = run;
  const saved = await saveArtifactSet(store, runId, pipeline.toArtifacts(), { algorithm: pipeline.algorithm }, { model_id: modelId });
  const paths = { model: saved.model.path, scaler: saved.scaler.path, features: saved.features.path };
  const now = new Date();
  try {
    await recordVersion(run, { saved, metrics: outcome.metrics, trainingMs: outcome.training_ms, finishedAt: now });
  } catch (err) {
    await deleteArtifactSet(store, Object.values(paths)).catch(() => undefined);
    throw err;
  }
  await markEnsemblesStale(new mongoose.Types.ObjectId(modelId));
  const res = await ModelConfig.updateOne(
    { _id: new mongoose.Types.ObjectId(modelId) },
    { $set: { ...artifactFieldsFor(runId, saved, now), metrics: outcome.metrics, training_ms: outcome.training_ms, status: "trained", last_error: null } },
  );
  if (res.matchedCount !== 1) {
    // The config was deleted while training: leave neither files nor a version behind.
    await deleteVersionsOf(new mongoose.Types.ObjectId(modelId), store);
    throw new NotFoundError("model", modelId);
  }
  return { model_id: modelId, run_id: runId, training_ms: outcome.training_ms, metrics: outcome.metrics, paths };
}

/**
 * Trains a model config end to end: dataset -> pipeline -> artifacts -> a new
 * version -> one document update. Returns the fitted pipeline too, so a caller
 * that needs the model (the ensemble's slow path) keeps it instead of reading
 * it back. On failure the current version stays as it was; the failed run is
 * recorded in the history, and status and last_error say why.
 */
export async function trainModel(modelId: string, options: TrainOptions = {}): Promise<{ result: TrainResult; pipeline: ModelPipeline }> {
  await connectDb();
  if (!mongoose.isValidObjectId(modelId)) throw new NotFoundError("model", modelId);
  const doc = await ModelConfig.findByIdAndUpdate(modelId, { $set: { status: "training", last_error: null } }, { returnDocument: "after" }).lean();
  if (!doc) throw new NotFoundError("model", modelId);
  const t0 = performance.now();
  const spec: PipelineSpec = {
    algorithm: doc.algorithm,
    hyperparameters: doc.hyperparameters ?? {},
    features: [...doc.features],
    target: doc.target,
    calibration: (doc.calibration ?? "none") as Calibration,
    seed: doc.seed ?? 42,
  };
  const run: RunFacts = {
    modelId,
    runId: newRunId(),
    spec: { ...spec, hyperparameters: (doc.hyperparameters ?? {}) as Record<string, number> },
    trigger: options.trigger ?? "manual",
    startedBy: options.startedBy ?? null,
    startedAt: new Date(),
    dataset: null,
  };
  try {
    if (doc.retrainable === false) {
      throw new ConflictError(`Model "${doc.name}" cannot be retrained: its dataset "${doc.training_csv}" was deleted. Its current version keeps serving.`);
    }
    await options.onProgress?.(0.02, "reading the dataset");
    const data = await readDataset(doc.training_csv);
    run.dataset = { path: doc.training_csv, sha256: data.sha256, rows: data.rows };
    const { X, y } = toNumericMatrix(parseCsv(data.text), { features: spec.features, target: spec.target });
    await options.onProgress?.(0.1, `fitting on ${X.length} rows`);
    const { pipeline, metrics } = await fitAndMeasure(X, y, spec, options.onProgress);
    const trainingMs = Math.round(performance.now() - t0);
    await options.onProgress?.(0.95, "saving artifacts");
    const result = await saveArtifactsForTrainedModel(run, pipeline, { metrics, training_ms: trainingMs }, options.store);
    log.info({ model_id: modelId, run_id: result.run_id, ms: trainingMs, rows: X.length, ...metrics }, "model trained");
    return { result, pipeline };
  } catch (err) {
    // Stored and shown to users: a known error's sentence, else a fixed one (details go to the log).
    const message = publicMessage(err);
    await ModelConfig.updateOne({ _id: doc._id }, { $set: { status: "failed", last_error: message } });
    await recordFailedRun(run, message).catch((e: unknown) => log.error({ model_id: modelId, err: String(e) }, "could not record the failed run"));
    log.warn({ model_id: modelId, err: err instanceof Error ? err.message : String(err) }, "model training failed");
    throw err;
  }
}
