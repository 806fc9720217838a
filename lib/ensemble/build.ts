import mongoose from "mongoose";
import { defaultArtifactStore, deleteArtifactSet, newRunId, saveArtifactSet, type ArtifactStore } from "@/lib/artifacts";
import { readVerifiedDataset } from "@/lib/datasets";
import { boundedCache } from "@/lib/cache";
import { connectDb, findByIds } from "@/lib/db";
import { NotFoundError, publicMessage } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import type { SerializedClassifier } from "@/lib/ml/algorithms";
import type { Metrics } from "@/lib/ml/metrics";
import { StackedEnsemble, unionFeatures } from "@/lib/ml/stacking";
import { Ensemble } from "@/models/Ensemble";
import { ModelConfig, type ModelConfigFields, type ModelConfigLean } from "@/models/ModelConfig";
import { isUnusable, loadBaseModel, retrainBaseModel, type ObtainedBaseModel } from "./base-models";
import { summarizeHoldout } from "./holdout";
import { metaInputs } from "./meta-inputs";
import { appendRun, recordEnsembleRun, recordRunEnd } from "./runs";

const log = childLogger("ensemble");

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
  /** The job running this build, under whose id base models retrained on the slow path are locked. */
  jobId?: string;
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
  /** Wall time of obtaining every base model (loads run at once, so this is less than the sum of their own times). */
  base_ms: number;
  metrics: Metrics;
  base: BaseTiming[];
  /** A few held-out meta rows (0-based data row numbers) and the probabilities the fitted ensemble gave them, to check a reload against. */
  check: { rows: number[]; probabilities: number[] };
}

/**
 * Each ensemble's base models and meta CSV as this process's last build of it found them. The next build reads
 * those configs and that CSV's record alongside the ensemble's own document instead of after it (on the embedded
 * database each read is a round trip of about 5 ms), and uses them only if the document still names the same ones.
 */
const compositions = boundedCache<{ baseIds: string[]; metaCsv: string }>("ensemble-compositions", 256);

/** Every base config and the meta CSV's record, read at once. */
function readInputs(baseIds: string[], metaCsv: string) {
  return Promise.all([findByIds<ModelConfigLean>(ModelConfig, baseIds), readVerifiedDataset(metaCsv, "meta_training_csv")]);
}

function timingOf(o: ObtainedBaseModel): BaseTiming {
  return { model_id: o.modelId, model_name: o.name, run_id: o.runId, source: o.source, ms: o.ms, note: o.note, metrics: null };
}

/** Timings as stored: model ids as ObjectIds. */
function storedTimings(timings: BaseTiming[]) {
  return timings.map((t) => ({ ...t, model_id: new mongoose.Types.ObjectId(t.model_id) }));
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
  const known = compositions.get(ensembleId);
  const early = known ? readInputs(known.baseIds, known.metaCsv) : null;
  // Its failure counts only if those turn out to be this build's inputs, and then it is thrown below.
  early?.catch(() => undefined);
  // Without a history from before ensemble_runs, which a build only moves out (lib/ensemble/runs.ts).
  const doc = await Ensemble.findById(ensembleId, { runs: 0 }).lean();
  if (!doc) throw new NotFoundError("ensemble", ensembleId);
  const store = options.store ?? defaultArtifactStore();
  const startedAt = new Date();
  const t0 = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  const baseIds = doc.base_model_ids.map(String);
  const timings: BaseTiming[] = [];
  const sameInputs = known !== undefined && known.metaCsv === doc.meta_training_csv && known.baseIds.join() === baseIds.join();
  compositions.set(ensembleId, { baseIds, metaCsv: doc.meta_training_csv });

  try {
    // Read before any base model is retrained: a missing CSV fails the build first.
    const [configDocs, meta] = await (sameInputs && early ? early : readInputs(baseIds, doc.meta_training_csv));
    const configs = new Map(configDocs.map((c) => [String(c._id), c]));
    // Every base model from its artifacts at once (reading and checking files: their waits overlap), then the ones
    // that could not be loaded retrained one at a time, in the ensemble's order.
    await progress(0.02, `loading ${baseIds.length} base models from their artifacts`);
    const baseStart = performance.now();
    const attempts = await Promise.all(baseIds.map((id) => loadBaseModel(id, configs.get(id) ?? null, store)));
    const share = 0.7 / Math.max(1, attempts.filter(isUnusable).length);
    const obtained: ObtainedBaseModel[] = [];
    let retrained = 0;
    for (const [i, attempt] of attempts.entries()) {
      if (!isUnusable(attempt)) {
        obtained.push(attempt);
        timings.push(timingOf(attempt));
        continue;
      }
      // "training" is shown while a base model is retrained, seconds or more. A build from artifacts takes a fraction of a
      // second and goes from its previous status to its end at once: on FerretDB, which applies writes one at a time,
      // that write and the serving stamp's move after it took about a tenth of such a build.
      if (retrained === 0) await Ensemble.updateOne({ _id: doc._id }, { $set: { status: "training", last_error: null } });
      const at = 0.05 + retrained++ * share;
      const o = await retrainBaseModel(attempt, {
        store,
        jobId: options.jobId,
        onProgress: (f, m) => progress(at + f * share, `retraining base model ${i + 1} of ${baseIds.length}: ${m ?? ""}`.trim()),
      });
      obtained.push(o);
      timings.push(timingOf(o));
    }
    const baseMs = performance.now() - baseStart;

    await progress(0.75, "scoring the meta training rows and fitting the meta-model");
    const metaStart = performance.now();
    const pipelines = obtained.map((o) => o.pipeline);
    const features = unionFeatures(pipelines);
    const inputs = await metaInputs(meta, obtained, features, doc.target);
    const fit = await StackedEnsemble.fit(pipelines, inputs.scores, inputs.y, { algorithm: doc.meta_model_type, seed: doc.seed ?? 42 });
    fit.baseMetrics.forEach((m, j) => (timings[j].metrics = m));
    const holdout = summarizeHoldout(inputs.columns, fit.holdout);
    const metaMs = performance.now() - metaStart;

    await progress(0.92, "saving the ensemble's artifacts");
    const runId = newRunId();
    const metaPayload: MetaModelPayload = { classifier: fit.ensemble.meta.toJSON(), base_model_ids: baseIds, target: doc.target };
    const manifestPayload: ManifestPayload = {
      ensemble_id: ensembleId,
      target: doc.target,
      base: obtained.map((o) => ({ model_id: o.modelId, name: o.name, run_id: o.runId, features: o.pipeline.features })),
    };
    const [saved, manifest] = await Promise.all([
      saveArtifactSet(store, runId, { meta_model: metaPayload, manifest: manifestPayload }, { algorithm: doc.meta_model_type }, { ensemble_id: ensembleId }),
      // Loaded from artifacts, each base model is the version its config named when this build read it; a retrained
      // one's new checksums are read back (while the files are written).
      obtained.every((o) => o.checksums !== null) ? obtained.map((o) => manifestEntryOf(o, o.checksums)) : manifestEntries(obtained),
    ]);
    const totalMs = performance.now() - t0;
    const runEntry = {
      run_id: runId,
      started_at: startedAt,
      total_ms: totalMs,
      meta_ms: metaMs,
      status: "succeeded",
      error: null,
      metrics: fit.metrics,
      base: storedTimings(timings),
      holdout,
    };
    const recorded = await recordRunEnd(
      doc,
      {
        run_id: runId,
        meta_model_artifact_path: saved.meta_model.path,
        manifest_artifact_path: saved.manifest.path,
        artifacts_saved_at: new Date(),
        checksums: { meta_model: saved.meta_model.sha256, manifest: saved.manifest.sha256 },
        manifest,
        // Fresh only if every base model is still on the version this build used (a retrain may have moved one meanwhile).
        stale: manifest.some((m) => m.checksums.model === null),
        status: "trained",
        last_error: null,
      },
      runEntry,
    );
    if (recorded === null) {
      await deleteArtifactSet(store, [saved.meta_model.path, saved.manifest.path]);
      throw new NotFoundError("ensemble", ensembleId);
    }
    // A retrain or promote that moved a base model since this build read its config has marked the old build stale, and
    // this write cleared it: look now that the manifest is recorded (while the run joins the history). Serving compares
    // the base models' runs with the manifest's as well (predictWithEnsemble), so this only keeps the flag true.
    // The previous build's two files stay: nothing points at them any more, and the worker's hourly sweep removes
    // unreferenced artifacts once an hour old (lib/training/orphans.ts). Removing them here cost a GridFS build two
    // deletes among all of the bucket's chunks, which FerretDB answers by decoding every one (about 220 ms each with
    // 1,900 artifacts stored), and a process reading the previous build a moment ago still finds its files.
    await Promise.all([
      appendRun(doc._id, recorded),
      manifestEntries(obtained).then(async (now) => {
        if (now.some((m) => m.checksums.model === null)) await Ensemble.updateOne({ _id: doc._id }, { $set: { stale: true } });
      }),
    ]);
    log.info(
      { ensemble_id: ensembleId, run_id: runId, total_ms: Math.round(totalMs), meta_ms: Math.round(metaMs), sources: timings.map((t) => t.source) },
      "ensemble built",
    );
    await progress(1, "done");
    return { ensemble_id: ensembleId, run_id: runId, total_ms: totalMs, meta_ms: metaMs, base_ms: baseMs, metrics: fit.metrics, base: timings, check: fit.check };
  } catch (err) {
    // Stored and shown to users: a known error's sentence, else a fixed one (details go to the log).
    const message = publicMessage(err);
    await recordEnsembleRun(
      doc,
      { status: "failed", last_error: message },
      {
        run_id: null,
        started_at: startedAt,
        total_ms: performance.now() - t0,
        meta_ms: null,
        status: "failed",
        error: message,
        metrics: null,
        base: storedTimings(timings),
      },
    );
    log.warn({ ensemble_id: ensembleId, err: err instanceof Error ? err.message : String(err) }, "ensemble build failed");
    throw err;
  }
}

/** A base model's manifest entry: its run and, while its config still names that run, its checksums (null: stale). */
function manifestEntryOf(
  o: Pick<ObtainedBaseModel, "modelId" | "runId">,
  checksums: { model?: string | null; scaler?: string | null; features?: string | null } | null,
) {
  return {
    model_id: new mongoose.Types.ObjectId(o.modelId),
    run_id: o.runId,
    checksums: { model: checksums?.model ?? null, scaler: checksums?.scaler ?? null, features: checksums?.features ?? null },
  };
}

/** The base models' run_ids and checksums as they are now (right after obtaining them). */
async function manifestEntries(obtained: ObtainedBaseModel[]) {
  const docs = await findByIds<Pick<ModelConfigFields, "run_id" | "checksums"> & { _id: mongoose.Types.ObjectId }>(
    ModelConfig,
    obtained.map((o) => o.modelId),
    { run_id: 1, checksums: 1 },
  );
  const byId = new Map(docs.map((d) => [String(d._id), d]));
  return obtained.map((o) => {
    const d = byId.get(o.modelId);
    return manifestEntryOf(o, d?.run_id === o.runId ? (d.checksums ?? null) : null);
  });
}
