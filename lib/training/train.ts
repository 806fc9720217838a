import mongoose from "mongoose";
import { defaultArtifactStore, deleteArtifactSet, newRunId, saveArtifactSet, type ArtifactStore } from "@/lib/artifacts";
import { readDatasetText } from "@/lib/datasets";
import { connectDb, recordRun } from "@/lib/db";
import { NotFoundError, publicMessage } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { parseCsv, toNumericMatrix } from "@/lib/ml/csv";
import type { Metrics } from "@/lib/ml/metrics";
import { fitAndMeasure, type Calibration, type ModelPipeline, type PipelineSpec } from "@/lib/ml/pipeline";
import { ModelConfig } from "@/models/ModelConfig";
import { PATH_PROJECTION, artifactFieldsFor, artifactPaths } from "./artifact-refs";

const log = childLogger("training");

const HISTORY_LIMIT = 50;

type Progress = (fraction: number, message?: string) => void | Promise<void>;

export interface TrainOptions {
  onProgress?: Progress;
  trigger?: "manual" | "ensemble" | "seed";
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
 * artifacts under a fresh run_id, then records paths, checksums, run_id and
 * artifacts_saved_at on the config in ONE update. Nothing is recorded unless all
 * three files are saved; the previous run's files are removed only after the
 * document points at the new ones, so a failure midway leaves the previous
 * artifacts valid.
 */
export async function saveArtifactsForTrainedModel(
  modelId: string,
  pipeline: ModelPipeline,
  run: { metrics: Metrics; training_ms: number; started_at: Date; trigger: string },
  store: ArtifactStore = defaultArtifactStore(),
): Promise<TrainResult> {
  const runId = newRunId();
  const saved = await saveArtifactSet(store, runId, pipeline.toArtifacts(), { algorithm: pipeline.algorithm }, { model_id: modelId });
  const previous = await ModelConfig.findById(modelId, PATH_PROJECTION).lean();
  const now = new Date();
  const recorded = await recordRun(ModelConfig, new mongoose.Types.ObjectId(modelId), {
    field: "history",
    limit: HISTORY_LIMIT,
    set: { ...artifactFieldsFor(runId, saved, now), metrics: run.metrics, training_ms: run.training_ms, status: "trained", last_error: null },
    entry: {
      run_id: runId,
      started_at: run.started_at,
      finished_at: now,
      training_ms: run.training_ms,
      status: "succeeded",
      trigger: run.trigger,
      metrics: run.metrics,
      error: null,
    },
  });
  const paths = { model: saved.model.path, scaler: saved.scaler.path, features: saved.features.path };
  if (!recorded) {
    // The config was deleted while training: do not leave orphan files behind.
    await deleteArtifactSet(store, Object.values(paths));
    throw new NotFoundError("model", modelId);
  }
  if (previous) {
    await deleteArtifactSet(store, artifactPaths(previous)).catch((err: unknown) =>
      log.warn({ model_id: modelId, err: String(err) }, "could not remove the previous run's artifacts"),
    );
  }
  return { model_id: modelId, run_id: runId, training_ms: run.training_ms, metrics: run.metrics, paths };
}

/**
 * Trains a model config end to end: dataset -> pipeline -> artifacts -> one
 * document update. Returns the fitted pipeline too, so a caller that needs the
 * model (the ensemble's slow path) keeps it instead of reading it back. On
 * failure the previous artifacts and fields stay as they were; only status,
 * last_error and the history record the failure.
 */
export async function trainModel(modelId: string, options: TrainOptions = {}): Promise<{ result: TrainResult; pipeline: ModelPipeline }> {
  await connectDb();
  if (!mongoose.isValidObjectId(modelId)) throw new NotFoundError("model", modelId);
  const doc = await ModelConfig.findByIdAndUpdate(modelId, { $set: { status: "training", last_error: null } }, { returnDocument: "after" }).lean();
  if (!doc) throw new NotFoundError("model", modelId);
  const startedAt = new Date();
  const t0 = performance.now();
  const trigger = options.trigger ?? "manual";
  const spec: PipelineSpec = {
    algorithm: doc.algorithm,
    hyperparameters: doc.hyperparameters ?? {},
    features: [...doc.features],
    target: doc.target,
    calibration: (doc.calibration ?? "none") as Calibration,
    seed: doc.seed ?? 42,
  };
  try {
    await options.onProgress?.(0.02, "reading the dataset");
    const text = await readDatasetText(doc.training_csv);
    const { X, y } = toNumericMatrix(parseCsv(text), { features: spec.features, target: spec.target });
    await options.onProgress?.(0.1, `fitting on ${X.length} rows`);
    const { pipeline, metrics } = await fitAndMeasure(X, y, spec, options.onProgress);
    const trainingMs = Math.round(performance.now() - t0);
    await options.onProgress?.(0.95, "saving artifacts");
    const result = await saveArtifactsForTrainedModel(modelId, pipeline, { metrics, training_ms: trainingMs, started_at: startedAt, trigger }, options.store);
    log.info({ model_id: modelId, run_id: result.run_id, ms: trainingMs, rows: X.length, ...metrics }, "model trained");
    return { result, pipeline };
  } catch (err) {
    // Stored and shown to users: a known error's sentence, else a fixed one (details go to the log).
    const message = publicMessage(err);
    await recordRun(ModelConfig, doc._id, {
      field: "history",
      limit: HISTORY_LIMIT,
      set: { status: "failed", last_error: message },
      entry: { run_id: null, started_at: startedAt, finished_at: new Date(), training_ms: null, status: "failed", trigger, error: message },
    });
    log.warn({ model_id: modelId, err: err instanceof Error ? err.message : String(err) }, "model training failed");
    throw err;
  }
}
