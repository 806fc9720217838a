import mongoose from "mongoose";
import {
  defaultArtifactStore,
  deleteArtifactSet,
  newRunId,
  saveArtifactSet,
  type ArtifactStore,
  type SavedArtifact,
} from "@/lib/artifacts";
import { readDatasetText } from "@/lib/datasets";
import { connectDb } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { createClassifier, type Algorithm, type SerializedClassifier } from "@/lib/ml/algorithms";
import { applyPlatt, fitPlatt, type PlattState } from "@/lib/ml/calibration";
import { parseCsv, toNumericMatrix } from "@/lib/ml/csv";
import { evaluate, type Metrics } from "@/lib/ml/metrics";
import { StandardScaler, type ScalerState } from "@/lib/ml/scaler";
import { holdoutSplit, takeRows } from "@/lib/ml/split";
import { ModelConfig } from "@/models/ModelConfig";

const log = childLogger("training");

/** Share of the training CSV held out to measure the model. */
export const HOLDOUT_FRACTION = 0.2;
/** Share of the remaining rows used to fit the sigmoid calibration, when asked for. */
export const CALIBRATION_FRACTION = 0.2;
const HISTORY_LIMIT = 50;

/** What the model artifact holds besides the scaler and the feature list. */
export interface ModelPayload {
  classifier: SerializedClassifier;
  calibration: PlattState | null;
  target: string;
  trained_rows: number;
}

export interface FeaturesPayload {
  features: string[];
  target: string;
}

export interface TrainOptions {
  onProgress?: (fraction: number, message?: string) => void | Promise<void>;
  trigger?: "manual" | "ensemble" | "seed";
  store?: ArtifactStore;
}

export interface TrainResult {
  model_id: string;
  run_id: string;
  training_ms: number;
  metrics: Metrics;
  paths: { model: string; scaler: string; features: string };
}

export interface FittedModel {
  classifier: ReturnType<typeof createClassifier>;
  scaler: StandardScaler;
  calibration: PlattState | null;
  metrics: Metrics;
  trainedRows: number;
}

interface TrainSpec {
  algorithm: Algorithm;
  hyperparameters: unknown;
  features: string[];
  target: string;
  calibration: "none" | "sigmoid";
  seed: number;
}

/**
 * Fits scaler, classifier and (optionally) calibration on a numeric table, and
 * measures the result on a held-out part. Pure: no database, no files.
 */
export async function fitModel(
  X: number[][],
  y: number[],
  spec: TrainSpec,
  onProgress?: (fraction: number, message?: string) => void | Promise<void>,
): Promise<FittedModel> {
  const { train, test } = holdoutSplit(X.length, HOLDOUT_FRACTION, spec.seed);
  let fitIdx = train;
  let calIdx: number[] = [];
  if (spec.calibration === "sigmoid") {
    const inner = holdoutSplit(train.length, CALIBRATION_FRACTION, spec.seed + 1);
    fitIdx = takeRows(train, inner.train);
    calIdx = takeRows(train, inner.test);
  }
  const scaler = new StandardScaler().fit(takeRows(X, fitIdx));
  const classifier = createClassifier(spec.algorithm, spec.hyperparameters, spec.seed);
  await classifier.fit(scaler.transform(takeRows(X, fitIdx)), takeRows(y, fitIdx), {
    onProgress: (f) => onProgress?.(0.15 + 0.7 * f, "fitting the model"),
  });
  let calibration: PlattState | null = null;
  if (spec.calibration === "sigmoid") {
    await onProgress?.(0.87, "calibrating");
    calibration = fitPlatt(classifier.predictProba(scaler.transform(takeRows(X, calIdx))), takeRows(y, calIdx));
  }
  await onProgress?.(0.9, "measuring on held-out rows");
  const raw = classifier.predictProba(scaler.transform(takeRows(X, test)));
  const probs = calibration ? applyPlatt(calibration, raw) : raw;
  return { classifier, scaler, calibration, metrics: evaluate(takeRows(y, test), probs), trainedRows: fitIdx.length };
}

/**
 * The seed's save_artifacts_for_trained_model: writes the three artifacts under
 * a fresh run_id, then records paths, checksums, run_id and artifacts_saved_at on
 * the config in ONE update. Nothing is recorded unless all three files are on
 * disk; the previous run's files are removed only after the document points at
 * the new ones, so a failure midway leaves the previous artifacts valid.
 */
export async function saveArtifactsForTrainedModel(
  modelId: string,
  fitted: FittedModel,
  spec: TrainSpec,
  extra: { training_ms: number; started_at: Date; trigger: string },
  store: ArtifactStore = defaultArtifactStore(),
): Promise<{ run_id: string; saved: Record<"model" | "scaler" | "features", SavedArtifact> }> {
  const runId = newRunId();
  const modelPayload: ModelPayload = {
    classifier: fitted.classifier.toJSON(),
    calibration: fitted.calibration,
    target: spec.target,
    trained_rows: fitted.trainedRows,
  };
  const scalerPayload: ScalerState = fitted.scaler.toJSON();
  const featuresPayload: FeaturesPayload = { features: [...spec.features], target: spec.target };
  const saved = await saveArtifactSet(
    store,
    runId,
    { model: modelPayload, scaler: scalerPayload, features: featuresPayload },
    { algorithm: spec.algorithm },
    { model_id: modelId },
  );

  const previous = await ModelConfig.findById(modelId, {
    model_artifact_path: 1,
    scaler_artifact_path: 1,
    features_path: 1,
  }).lean();
  const now = new Date();
  const update = await ModelConfig.updateOne(
    { _id: new mongoose.Types.ObjectId(modelId) },
    {
      $set: {
        model_artifact_path: saved.model.path,
        scaler_artifact_path: saved.scaler.path,
        features_path: saved.features.path,
        run_id: runId,
        artifacts_saved_at: now,
        checksums: { model: saved.model.sha256, scaler: saved.scaler.sha256, features: saved.features.sha256 },
        artifact_bytes: { model: saved.model.bytes, scaler: saved.scaler.bytes, features: saved.features.bytes },
        metrics: fitted.metrics,
        training_ms: extra.training_ms,
        status: "trained",
        last_error: null,
      },
      $push: {
        history: {
          $each: [
            {
              run_id: runId,
              started_at: extra.started_at,
              finished_at: now,
              training_ms: extra.training_ms,
              status: "succeeded",
              trigger: extra.trigger,
              metrics: fitted.metrics,
              error: null,
            },
          ],
          $slice: -HISTORY_LIMIT,
        },
      },
    },
  );
  if (update.matchedCount !== 1) {
    // The config was deleted while training: do not leave orphan files behind.
    await deleteArtifactSet(store, [saved.model.path, saved.scaler.path, saved.features.path]);
    throw new NotFoundError("model", modelId);
  }
  if (previous) {
    await deleteArtifactSet(store, [previous.model_artifact_path, previous.scaler_artifact_path, previous.features_path]).catch(
      (err: unknown) => log.warn({ model_id: modelId, err: String(err) }, "could not remove the previous run's artifacts"),
    );
  }
  return { run_id: runId, saved };
}

/** How many trainings this process has started; lets tests prove a fast path trained nothing. */
export const trainingCounter = { runs: 0 };

/**
 * Trains a model config end to end: dataset -> scaler + classifier -> artifacts
 * -> one document update. On failure the previous artifacts and fields stay as
 * they were; only status, last_error and the history record the failure.
 */
export async function trainModel(modelId: string, options: TrainOptions = {}): Promise<TrainResult> {
  trainingCounter.runs += 1;
  await connectDb();
  if (!mongoose.isValidObjectId(modelId)) throw new NotFoundError("model", modelId);
  const doc = await ModelConfig.findByIdAndUpdate(
    modelId,
    { $set: { status: "training", last_error: null } },
    { returnDocument: "after" },
  ).lean();
  if (!doc) throw new NotFoundError("model", modelId);
  const startedAt = new Date();
  const t0 = performance.now();
  const trigger = options.trigger ?? "manual";
  const spec: TrainSpec = {
    algorithm: doc.algorithm,
    hyperparameters: doc.hyperparameters ?? {},
    features: [...doc.features],
    target: doc.target,
    calibration: doc.calibration ?? "none",
    seed: doc.seed ?? 42,
  };
  try {
    await options.onProgress?.(0.02, "reading the dataset");
    const text = await readDatasetText(doc.training_csv);
    const { X, y } = toNumericMatrix(parseCsv(text), { features: spec.features, target: spec.target });
    await options.onProgress?.(0.1, `fitting on ${X.length} rows`);
    const fitted = await fitModel(X, y, spec, options.onProgress);
    const trainingMs = Math.round(performance.now() - t0);
    await options.onProgress?.(0.95, "saving artifacts");
    const { run_id, saved } = await saveArtifactsForTrainedModel(
      modelId,
      fitted,
      spec,
      { training_ms: trainingMs, started_at: startedAt, trigger },
      options.store,
    );
    log.info({ model_id: modelId, run_id, ms: trainingMs, rows: X.length, ...fitted.metrics }, "model trained");
    return {
      model_id: modelId,
      run_id,
      training_ms: trainingMs,
      metrics: fitted.metrics,
      paths: { model: saved.model.path, scaler: saved.scaler.path, features: saved.features.path },
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await ModelConfig.updateOne(
      { _id: doc._id },
      {
        $set: { status: "failed", last_error: message },
        $push: {
          history: {
            $each: [
              { run_id: null, started_at: startedAt, finished_at: new Date(), training_ms: null, status: "failed", trigger, error: message },
            ],
            $slice: -HISTORY_LIMIT,
          },
        },
      },
    );
    log.warn({ model_id: modelId, err: message }, "model training failed");
    throw err;
  }
}
