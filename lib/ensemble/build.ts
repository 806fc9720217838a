import mongoose from "mongoose";
import { defaultArtifactStore, deleteArtifactSet, newRunId, saveArtifactSet, type ArtifactStore } from "@/lib/artifacts";
import { readDatasetText } from "@/lib/datasets";
import { connectDb } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { createClassifier, defaultHyperparameters, type SerializedClassifier } from "@/lib/ml/algorithms";
import { parseCsv, toNumericMatrix } from "@/lib/ml/csv";
import { evaluate, type Metrics } from "@/lib/ml/metrics";
import { holdoutSplit, takeRows } from "@/lib/ml/split";
import { Ensemble } from "@/models/Ensemble";
import { ModelConfig } from "@/models/ModelConfig";
import { obtainBaseModel, type ObtainedBaseModel } from "./base-models";

const log = childLogger("ensemble");

/** Share of the meta training rows held out to measure the ensemble and each base model. */
export const META_HOLDOUT_FRACTION = 0.25;
const RUN_LIMIT = 100;

/** The meta-model artifact: a classifier over the base models' probabilities, in this order. */
export interface MetaModelPayload {
  classifier: SerializedClassifier;
  base_model_ids: string[];
  target: string;
}

/** The manifest artifact: exactly which base model runs the meta-model was fitted on. */
export interface ManifestPayload {
  ensemble_id: string;
  target: string;
  base: Array<{ model_id: string; name: string; run_id: string; features: string[] }>;
}

export interface BuildOptions {
  onProgress?: (fraction: number, message?: string) => void | Promise<void>;
  store?: ArtifactStore;
}

export interface BaseTiming {
  model_id: string;
  model_name: string;
  run_id: string;
  source: "artifact" | "retrained";
  ms: number;
  note: string | null;
  metrics: Metrics | null;
}

export interface BuildResult {
  ensemble_id: string;
  run_id: string;
  total_ms: number;
  meta_ms: number;
  metrics: Metrics;
  base: BaseTiming[];
  /** A few held-out meta rows (0-based data row numbers) and the probabilities the fitted ensemble gave them, to check a reload against. */
  check: { rows: number[]; probabilities: number[] };
}

/** Each base model's P(target = 1) on the given rows of a named-column table, as columns. */
export function baseProbabilityMatrix(
  bases: Array<{ features: string[]; predictProba(X: number[][]): number[] }>,
  table: { columns: string[]; rows: string[][] },
  target: string,
): { Z: number[][]; y: number[] } {
  let y: number[] = [];
  const perBase = bases.map((b) => {
    const m = toNumericMatrix(table, { features: b.features, target });
    y = m.y; // the same target column for every base model
    return b.predictProba(m.X);
  });
  const Z = y.map((_, i) => perBase.map((p) => p[i]));
  return { Z, y };
}

/**
 * Builds a stacking ensemble: obtains each base model (artifact or retrain),
 * fits the meta-model on their probabilities over the meta training CSV,
 * measures it against each base model on held-out rows, saves the meta-model
 * and manifest artifacts and records the run with per-model timings.
 */
export async function buildEnsemble(ensembleId: string, options: BuildOptions = {}): Promise<BuildResult> {
  await connectDb();
  if (!mongoose.isValidObjectId(ensembleId)) throw new NotFoundError("ensemble", ensembleId);
  const doc = await Ensemble.findByIdAndUpdate(ensembleId, { $set: { status: "training", last_error: null } }, { returnDocument: "after" }).lean();
  if (!doc) throw new NotFoundError("ensemble", ensembleId);
  const store = options.store ?? defaultArtifactStore();
  const startedAt = new Date();
  const t0 = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  const baseIds = doc.base_model_ids.map(String);
  const timings: BaseTiming[] = [];

  try {
    const obtained: ObtainedBaseModel[] = [];
    for (const [i, id] of baseIds.entries()) {
      const share = 0.7 / baseIds.length;
      await progress(0.02 + i * share, `loading base model ${i + 1} of ${baseIds.length}`);
      const o = await obtainBaseModel(id, {
        store,
        onProgress: (f, m) => progress(0.02 + i * share + f * share, `retraining base model ${i + 1}: ${m ?? ""}`.trim()),
      });
      obtained.push(o);
      timings.push({ model_id: id, model_name: o.name, run_id: o.model.runId, source: o.source, ms: o.ms, note: o.note, metrics: null });
    }

    await progress(0.75, "scoring the meta training rows");
    const metaStart = performance.now();
    const table = parseCsv(await readDatasetText(doc.meta_training_csv, "meta_training_csv"));
    const { Z, y } = baseProbabilityMatrix(obtained.map((o) => o.model), table, doc.target);
    const { train, test } = holdoutSplit(Z.length, META_HOLDOUT_FRACTION, doc.seed ?? 42);
    const meta = createClassifier(doc.meta_model_type, defaultHyperparameters(doc.meta_model_type), doc.seed ?? 42);
    await progress(0.8, "fitting the meta-model");
    await meta.fit(takeRows(Z, train), takeRows(y, train));
    const yTest = takeRows(y, test);
    const zTest = takeRows(Z, test);
    const testProbs = meta.predictProba(zTest);
    const metrics = evaluate(yTest, testProbs);
    const check = { rows: test.slice(0, 20), probabilities: testProbs.slice(0, 20) };
    obtained.forEach((_, j) => {
      timings[j].metrics = evaluate(yTest, zTest.map((row) => row[j]));
    });
    const metaMs = performance.now() - metaStart;

    await progress(0.92, "saving the ensemble's artifacts");
    const runId = newRunId();
    const metaPayload: MetaModelPayload = { classifier: meta.toJSON(), base_model_ids: baseIds, target: doc.target };
    const manifestPayload: ManifestPayload = {
      ensemble_id: ensembleId,
      target: doc.target,
      base: obtained.map((o, j) => ({ model_id: baseIds[j], name: o.name, run_id: o.model.runId, features: o.model.features })),
    };
    const saved = await saveArtifactSet(
      store,
      runId,
      { meta_model: metaPayload, manifest: manifestPayload },
      { algorithm: doc.meta_model_type },
      { ensemble_id: ensembleId },
    );
    const manifest = await manifestEntries(baseIds, obtained.map((o) => o.model.runId));
    const totalMs = performance.now() - t0;
    const run = {
      run_id: runId,
      started_at: startedAt,
      total_ms: totalMs,
      meta_ms: metaMs,
      status: "succeeded" as const,
      error: null,
      metrics,
      base: timings.map((t) => ({ ...t, model_id: new mongoose.Types.ObjectId(t.model_id) })),
    };
    const res = await Ensemble.updateOne(
      { _id: doc._id },
      {
        $set: {
          run_id: runId,
          meta_model_artifact_path: saved.meta_model.path,
          manifest_artifact_path: saved.manifest.path,
          artifacts_saved_at: new Date(),
          checksums: { meta_model: saved.meta_model.sha256, manifest: saved.manifest.sha256 },
          manifest,
          status: "trained",
          last_error: null,
        },
        $push: { runs: { $each: [run], $slice: -RUN_LIMIT } },
      },
    );
    if (res.matchedCount !== 1) {
      await deleteArtifactSet(store, [saved.meta_model.path, saved.manifest.path]);
      throw new NotFoundError("ensemble", ensembleId);
    }
    await deleteArtifactSet(store, [doc.meta_model_artifact_path, doc.manifest_artifact_path]).catch(() => undefined);
    log.info(
      { ensemble_id: ensembleId, run_id: runId, total_ms: Math.round(totalMs), meta_ms: Math.round(metaMs), sources: timings.map((t) => t.source) },
      "ensemble built",
    );
    await progress(1, "done");
    return { ensemble_id: ensembleId, run_id: runId, total_ms: totalMs, meta_ms: metaMs, metrics, base: timings, check };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await Ensemble.updateOne(
      { _id: doc._id },
      {
        $set: { status: "failed", last_error: message },
        $push: {
          runs: {
            $each: [
              {
                run_id: null,
                started_at: startedAt,
                total_ms: performance.now() - t0,
                meta_ms: null,
                status: "failed",
                error: message,
                metrics: null,
                base: timings.map((t) => ({ ...t, model_id: new mongoose.Types.ObjectId(t.model_id) })),
              },
            ],
            $slice: -RUN_LIMIT,
          },
        },
      },
    );
    log.warn({ ensemble_id: ensembleId, err: message }, "ensemble build failed");
    throw err;
  }
}

/** The base models' run_ids and checksums as they are now (right after obtaining them). */
async function manifestEntries(baseIds: string[], runIds: string[]) {
  const docs = await ModelConfig.find(
    { _id: { $in: baseIds.map((id) => new mongoose.Types.ObjectId(id)) } },
    { run_id: 1, checksums: 1 },
  ).lean();
  const byId = new Map(docs.map((d) => [String(d._id), d]));
  return baseIds.map((id, j) => {
    const d = byId.get(id);
    const same = d?.run_id === runIds[j];
    return {
      model_id: new mongoose.Types.ObjectId(id),
      run_id: runIds[j],
      checksums: {
        model: same ? (d?.checksums?.model ?? null) : null,
        scaler: same ? (d?.checksums?.scaler ?? null) : null,
        features: same ? (d?.checksums?.features ?? null) : null,
      },
    };
  });
}
