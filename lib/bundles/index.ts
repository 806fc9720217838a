import { createHash } from "node:crypto";
import mongoose from "mongoose";
import { z } from "zod";
import {
  RUN_ID_PATTERN,
  artifactFileName,
  assertSameFeatures,
  defaultArtifactStore,
  deleteArtifactSet,
  parseEnvelope,
  saveArtifactSet,
  type ArtifactKind,
  type ArtifactStore,
} from "@/lib/artifacts";
import { connectDb, findByIds } from "@/lib/db";
import { ConflictError, NotFoundError, UserFacingError, ValidationError, fieldErrorsFromZod } from "@/lib/errors";
import type { ManifestPayload, MetaModelPayload } from "@/lib/ensemble/build";
import { readRunHistory } from "@/lib/ensemble/runs";
import { findEnsemble, toEnsembleView } from "@/lib/ensemble/service";
import { DatasetPath } from "@/lib/datasets/store";
import { childLogger } from "@/lib/log";
import { classifierFromJSON, isAlgorithm, parseHyperparameters } from "@/lib/ml/algorithms";
import { CALIBRATIONS, ModelPipeline, type FeaturesPayload, type ModelPayload } from "@/lib/ml/pipeline";
import type { ScalerState } from "@/lib/ml/scaler";
import { APP_VERSION } from "@/lib/version";
import { MODEL_ARTIFACT_KINDS, artifactFieldsFor, loadableRefs } from "@/lib/training/artifact-refs";
import { Ensemble } from "@/models/Ensemble";
import { ModelConfig } from "@/models/ModelConfig";
import { ModelVersion } from "@/models/ModelVersion";

const log = childLogger("bundles");

/**
 * A portable bundle: a model's current version, or an ensemble with the exact
 * base versions it was built on, as one JSON file that another deployment
 * (another database, another artifact store) imports and predicts with
 * identically. Artifacts travel as the exact text of their files, with their
 * checksums; the importer checks everything before it writes anything.
 */
export const BUNDLE_FORMAT = "nba-ensemble-lab.bundle";
export const BUNDLE_FORMAT_VERSION = 1;

const sha = z.string().regex(/^[0-9a-f]{64}$/, "must be a SHA-256 in hex");
const runId = z.string().regex(RUN_ID_PATTERN, "is not a run id");
const name = z.string().trim().min(1).max(100);
const artifactText = z.string().min(2).max(100 * 1024 * 1024);

/** One model version in a bundle: its settings, lineage, artifacts' text and checksums. */
export const BundledModel = z
  .object({
    name,
    algorithm: z.string().refine(isAlgorithm, "is not an algorithm of this app"),
    hyperparameters: z.record(z.string(), z.unknown()),
    features: z.array(z.string().min(1).max(100)).min(1).max(200),
    target: z.string().min(1).max(100),
    training_csv: DatasetPath,
    calibration: z.enum(CALIBRATIONS),
    seed: z.number().int().min(0).max(2 ** 31 - 1),
    version: z
      .object({
        run_id: runId,
        metrics: z.record(z.string(), z.number()).nullable(),
        training_ms: z.number().nullable(),
        trained_at: z.string().nullable(),
        dataset: z.object({ path: z.string(), sha256: sha, rows: z.number().int().min(0) }).strict().nullable(),
        runtime: z.object({ node: z.string(), app_version: z.string(), learner: z.string(), format_version: z.number() }).strict().nullable(),
      })
      .strict(),
    artifacts: z.object({ model: artifactText, scaler: artifactText, features: artifactText }).strict(),
    checksums: z.object({ model: sha, scaler: sha, features: sha }).strict(),
  })
  .strict();

const BundledEnsemble = z
  .object({
    name,
    meta_model_type: z.string().refine(isAlgorithm, "is not an algorithm of this app"),
    target: z.string().min(1).max(100),
    seed: z.number().int().min(0).max(2 ** 31 - 1),
    meta_training_csv: DatasetPath,
    run_id: runId,
    metrics: z.record(z.string(), z.number()).nullable(),
    base_models: z.array(name).min(2).max(20),
    artifacts: z.object({ meta_model: artifactText }).strict(),
    checksums: z.object({ meta_model: sha }).strict(),
  })
  .strict();

/** A bundle as export writes it and import reads it. */
export const Bundle = z
  .object({
    format: z.literal(BUNDLE_FORMAT, { error: `is not "${BUNDLE_FORMAT}"` }),
    format_version: z.literal(BUNDLE_FORMAT_VERSION, { error: `must be ${BUNDLE_FORMAT_VERSION}; this app reads only that version` }),
    exported_at: z.string(),
    app_version: z.string(),
    models: z.array(BundledModel).min(1).max(20),
    ensemble: BundledEnsemble.nullable(),
  })
  .strict();

export type BundleDocument = z.input<typeof Bundle>;

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Refused before anything is written: one sentence and field-level details, like any bad input. */
export class BundleRefusal extends ValidationError {}

/** Refuses a bundle (or an archive of one) with one sentence, before anything is written. */
export function refuse(message: string, field = "bundle"): never {
  throw new BundleRefusal(`The bundle was refused: ${message}`, { [field]: [message] });
}

// ---------------------------------------------------------------- export

type Kind3 = (typeof MODEL_ARTIFACT_KINDS)[number];

/**
 * One version of a model as a bundled model: the current one by default, or
 * `runId`. The settings are the version's own (the config may have been
 * edited since), and each artifact is read and checked against the checksum
 * recorded when it was written, so the bundle carries exactly those bytes.
 */
async function exportModelDoc(modelId: mongoose.Types.ObjectId, store: ArtifactStore, runId?: string, forEnsemble = false) {
  const doc = await ModelConfig.findById(modelId).lean();
  if (!doc) throw new NotFoundError("model", String(modelId));
  const run = runId ?? doc.run_id;
  if (!run) throw new ConflictError(`Model "${doc.name}" has not been trained; there is nothing to export.`);
  if (forEnsemble && run !== doc.run_id) throw new ConflictError(`Model "${doc.name}" changed since the ensemble was built; rebuild the ensemble before exporting it.`);
  const version = await ModelVersion.findOne({ model_id: doc._id, run_id: run }).lean();
  let refs: Record<Kind3, { path: string; sha256?: string | null }>;
  if (run === doc.run_id) {
    const current = loadableRefs(doc);
    refs = { model: current.model, scaler: current.scaler, features: current.features };
  } else {
    if (!version) throw new NotFoundError(`version of model "${doc.name}"`, run);
    if (version.status !== "succeeded") throw new ConflictError(`Run ${run} of model "${doc.name}" failed; it has no artifacts to export.`);
    if (version.retired_at || !version.artifacts) throw new ConflictError(`Run ${run} of model "${doc.name}" was retired by the retention sweep; its artifacts are gone.`);
    const a = version.artifacts as Record<Kind3, { path: string; sha256: string }>;
    refs = { model: a.model, scaler: a.scaler, features: a.features };
  }
  const artifacts = {} as Record<Kind3, string>;
  const checksums = {} as Record<Kind3, string>;
  for (const kind of MODEL_ARTIFACT_KINDS) {
    const bytes = await store.read(refs[kind].path).catch(() => {
      throw new ConflictError(`The ${kind} artifact of run ${run} of model "${doc.name}" is missing; it cannot be exported.`);
    });
    if (refs[kind].sha256 && sha256(bytes.toString("utf8")) !== refs[kind].sha256) {
      throw new ConflictError(`The ${kind} artifact of model "${doc.name}" does not match its checksum; retrain the model before exporting it.`);
    }
    artifacts[kind] = bytes.toString("utf8");
    checksums[kind] = sha256(artifacts[kind]);
  }
  const savedAt = run === doc.run_id ? doc.artifacts_saved_at : version?.finished_at;
  return {
    name: doc.name,
    algorithm: version?.algorithm ?? doc.algorithm,
    hyperparameters: ((version ? version.hyperparameters : doc.hyperparameters) ?? {}) as Record<string, unknown>,
    features: [...(version?.features?.length ? version.features : doc.features)],
    target: version?.target ?? doc.target,
    training_csv: doc.training_csv,
    calibration: ((version ? version.calibration : doc.calibration) ?? "none") as (typeof CALIBRATIONS)[number],
    seed: (version ? version.seed : doc.seed) ?? 42,
    version: {
      run_id: run,
      metrics: ((version ? version.metrics : doc.metrics) as Record<string, number> | null | undefined) ?? null,
      training_ms: (version ? version.training_ms : doc.training_ms) ?? null,
      trained_at: savedAt ? new Date(savedAt).toISOString() : null,
      dataset: version?.dataset ? { path: version.dataset.path as string, sha256: version.dataset.sha256 as string, rows: version.dataset.rows as number } : null,
      runtime: version?.runtime
        ? { node: version.runtime.node as string, app_version: version.runtime.app_version as string, learner: version.runtime.learner as string, format_version: version.runtime.format_version as number }
        : null,
    },
    artifacts,
    checksums,
  };
}

function envelope(models: BundleDocument["models"], ensemble: BundleDocument["ensemble"]): BundleDocument {
  return { format: BUNDLE_FORMAT, format_version: BUNDLE_FORMAT_VERSION, exported_at: new Date().toISOString(), app_version: APP_VERSION, models, ensemble };
}

/** A model's current version, or the version `runId`, as a bundle. */
export async function exportModelBundle(id: string, store: ArtifactStore = defaultArtifactStore(), runId?: string): Promise<BundleDocument> {
  if (!mongoose.isValidObjectId(id)) throw new NotFoundError("model", id);
  if (runId !== undefined && !RUN_ID_PATTERN.test(runId)) throw new NotFoundError("version", runId);
  await connectDb();
  return envelope([await exportModelDoc(new mongoose.Types.ObjectId(id), store, runId)], null);
}

/** An ensemble with the exact base versions it was built on; a stale one must be rebuilt first. */
export async function exportEnsembleBundle(id: string, store: ArtifactStore = defaultArtifactStore()): Promise<BundleDocument> {
  const doc = await findEnsemble(id);
  if (!doc.run_id || !doc.meta_model_artifact_path) throw new ConflictError(`Ensemble "${doc.name}" has not been built; there is nothing to export.`);
  const bases = await findByIds<{ _id: mongoose.Types.ObjectId; name: string; run_id?: string | null; training_ms?: number | null }>(ModelConfig, doc.base_model_ids, { name: 1, run_id: 1, training_ms: 1 });
  if (toEnsembleView(doc, bases).stale) throw new ConflictError(`Ensemble "${doc.name}" is stale; rebuild it before exporting it.`);
  const models = [];
  for (const entry of doc.manifest ?? []) models.push(await exportModelDoc(entry.model_id as mongoose.Types.ObjectId, store, entry.run_id, true));
  const meta = (await store.read(doc.meta_model_artifact_path)).toString("utf8");
  if (doc.checksums?.meta_model && sha256(meta) !== doc.checksums.meta_model) {
    throw new ConflictError(`The meta-model artifact of ensemble "${doc.name}" does not match its checksum; rebuild the ensemble before exporting it.`);
  }
  const latest = (await readRunHistory(doc)).filter((r) => r.status === "succeeded").at(-1);
  return envelope(models, {
    name: doc.name,
    meta_model_type: doc.meta_model_type ?? "logistic_regression",
    target: doc.target,
    seed: doc.seed ?? 42,
    meta_training_csv: doc.meta_training_csv,
    run_id: doc.run_id,
    metrics: (latest?.metrics as Record<string, number> | null | undefined) ?? null,
    base_models: models.map((m) => m.name),
    artifacts: { meta_model: meta },
    checksums: { meta_model: sha256(meta) },
  });
}

// ---------------------------------------------------------------- import

/** Parses one bundled artifact as the loader would: checksum first, then the envelope (kind and run). */
function checkArtifact<T>(text: string, checksum: string, kind: ArtifactKind, run: string, owner: string): T {
  if (sha256(text) !== checksum) refuse(`the ${kind} artifact of "${owner}" does not match its checksum`);
  try {
    return parseEnvelope(Buffer.from(text, "utf8"), { path: artifactFileName(run, kind), kind, run_id: run }).payload as T;
  } catch (err) {
    refuse(`the ${kind} artifact of "${owner}" is not usable: ${err instanceof UserFacingError ? err.message : "it cannot be read"}`);
  }
}

export interface ImportResult {
  models: Array<{ id: string; name: string; run_id: string }>;
  ensemble: { id: string; name: string; run_id: string } | null;
}

/**
 * Imports a bundle into this deployment: every check (shape, checksums,
 * envelopes, that each model rebuilds and the meta-model fits its base models,
 * free names and run ids) runs before the first write; a failure while writing
 * removes what this import wrote. The imported models serve at once; they train
 * again only if their dataset exists here.
 */
export async function importBundle(input: unknown, store: ArtifactStore = defaultArtifactStore()): Promise<ImportResult> {
  const parsed = Bundle.safeParse(input);
  if (!parsed.success) throw new BundleRefusal("The bundle was refused: it is not a bundle this app can read.", fieldErrorsFromZod(parsed.error.issues));
  const bundle = parsed.data;
  await connectDb();

  const names = bundle.models.map((m) => m.name);
  if (new Set(names).size !== names.length) refuse("two of its models have the same name", "models");
  const runIds = [...bundle.models.map((m) => m.version.run_id), ...(bundle.ensemble ? [bundle.ensemble.run_id] : [])];
  if (new Set(runIds).size !== runIds.length) refuse("two of its runs have the same run id", "models");

  const pipelines = bundle.models.map((m) => {
    const run = m.version.run_id;
    const payloads = {
      model: checkArtifact<ModelPayload>(m.artifacts.model, m.checksums.model, "model", run, m.name),
      scaler: checkArtifact<ScalerState>(m.artifacts.scaler, m.checksums.scaler, "scaler", run, m.name),
      features: checkArtifact<FeaturesPayload>(m.artifacts.features, m.checksums.features, "features", run, m.name),
    };
    try {
      parseHyperparameters(m.algorithm, m.hyperparameters);
      assertSameFeatures(m.features, payloads.features.features, artifactFileName(run, "features"));
      const pipeline = ModelPipeline.fromArtifacts(payloads);
      if (pipeline.algorithm !== m.algorithm) refuse(`model "${m.name}" says ${m.algorithm} but its artifact holds ${pipeline.algorithm}`);
      if (pipeline.target !== m.target) refuse(`model "${m.name}" says target ${m.target} but its artifact holds ${pipeline.target}`);
      return pipeline;
    } catch (err) {
      if (err instanceof BundleRefusal) throw err;
      refuse(`model "${m.name}" does not rebuild from its artifacts: ${err instanceof UserFacingError ? err.message : "its state is malformed"}`);
    }
  });

  let meta: MetaModelPayload | null = null;
  const ensemble = bundle.ensemble;
  if (ensemble) {
    if (ensemble.base_models.join("\n") !== names.join("\n")) refuse("the ensemble's base models are not exactly the bundle's models, in order", "ensemble");
    if (bundle.models.some((m) => m.target !== ensemble.target)) refuse("the ensemble's base models predict a different target", "ensemble");
    meta = checkArtifact<MetaModelPayload>(ensemble.artifacts.meta_model, ensemble.checksums.meta_model, "meta_model", ensemble.run_id, ensemble.name);
    try {
      const classifier = classifierFromJSON(meta.classifier);
      // The meta-model reads one probability per base model: try it on a row of that width.
      classifier.predictProba([pipelines.map(() => 0.5)]);
    } catch (err) {
      refuse(`the ensemble's meta-model does not rebuild: ${err instanceof UserFacingError ? err.message : "its state is malformed"}`, "ensemble");
    }
  }

  const takenModels = await ModelConfig.find({ name: { $in: names } }, { name: 1 }).lean();
  if (takenModels.length) throw new ConflictError(`A model named ${takenModels.map((t) => `"${t.name}"`).join(", ")} already exists here; rename or delete it first.`);
  if (ensemble && (await Ensemble.exists({ name: ensemble.name }))) throw new ConflictError(`An ensemble named "${ensemble.name}" already exists here; rename or delete it first.`);
  const takenRuns = await ModelVersion.find({ run_id: { $in: runIds } }, { run_id: 1, model_id: 1 }).lean();
  if (takenRuns.length) {
    const holder = await ModelConfig.findById(takenRuns[0].model_id, { name: 1 }).lean();
    throw new ConflictError(
      `Run ${takenRuns[0].run_id} is already here${holder ? ` as a version of model "${holder.name}"` : ""}: this bundle was exported from this deployment, or imported into it before.`,
    );
  }
  if (ensemble && (await Ensemble.exists({ run_id: ensemble.run_id }))) throw new ConflictError(`Run ${ensemble.run_id} is already here: this bundle's ensemble was exported from this deployment, or imported into it before.`);

  // Everything checked: write. Any failure from here on removes what this import wrote.
  const written: string[] = [];
  const modelIds: mongoose.Types.ObjectId[] = [];
  let ensembleId: mongoose.Types.ObjectId | null = null;
  try {
    const result: ImportResult = { models: [], ensemble: null };
    for (const m of bundle.models) {
      const run = m.version.run_id;
      const saved = {} as Record<(typeof MODEL_ARTIFACT_KINDS)[number], { path: string; sha256: string; bytes: number }>;
      for (const kind of MODEL_ARTIFACT_KINDS) {
        const w = await store.write(artifactFileName(run, kind), m.artifacts[kind]);
        written.push(w.path);
        saved[kind] = w;
      }
      const trainedAt = m.version.trained_at ? new Date(m.version.trained_at) : new Date();
      const id = new mongoose.Types.ObjectId();
      modelIds.push(id);
      await ModelVersion.create({
        model_id: id,
        run_id: run,
        status: "succeeded",
        trigger: "import",
        started_at: trainedAt,
        finished_at: trainedAt,
        training_ms: m.version.training_ms,
        algorithm: m.algorithm,
        hyperparameters: parseHyperparameters(m.algorithm, m.hyperparameters),
        features: m.features,
        target: m.target,
        calibration: m.calibration,
        seed: m.seed,
        metrics: m.version.metrics,
        artifacts: saved,
        dataset: m.version.dataset,
        runtime: m.version.runtime,
      });
      await ModelConfig.create({
        _id: id,
        name: m.name,
        algorithm: m.algorithm,
        hyperparameters: parseHyperparameters(m.algorithm, m.hyperparameters),
        features: m.features,
        target: m.target,
        training_csv: m.training_csv,
        calibration: m.calibration,
        seed: m.seed,
        ...artifactFieldsFor(run, saved, trainedAt),
        metrics: m.version.metrics,
        training_ms: m.version.training_ms,
        status: "trained",
      });
      result.models.push({ id: String(id), name: m.name, run_id: run });
    }
    if (ensemble && meta) {
      ensembleId = new mongoose.Types.ObjectId();
      const baseIds = modelIds.map(String);
      // The manifest names this deployment's model ids, so it is written afresh; the meta-model travels as it was.
      const manifest: ManifestPayload = {
        ensemble_id: String(ensembleId),
        target: ensemble.target,
        base: bundle.models.map((m, j) => ({ model_id: baseIds[j], name: m.name, run_id: m.version.run_id, features: m.features })),
      };
      const metaFile = await store.write(artifactFileName(ensemble.run_id, "meta_model"), ensemble.artifacts.meta_model);
      written.push(metaFile.path);
      const savedManifest = await saveArtifactSet(store, ensemble.run_id, { manifest }, { algorithm: ensemble.meta_model_type }, { ensemble_id: String(ensembleId) });
      written.push(savedManifest.manifest.path);
      const versions = await ModelVersion.find({ run_id: { $in: bundle.models.map((m) => m.version.run_id) } }).lean();
      const byRun = new Map(versions.map((v) => [v.run_id, v]));
      await Ensemble.create({
        _id: ensembleId,
        name: ensemble.name,
        base_model_ids: modelIds,
        meta_model_type: ensemble.meta_model_type,
        meta_training_csv: ensemble.meta_training_csv,
        target: ensemble.target,
        seed: ensemble.seed,
        run_id: ensemble.run_id,
        meta_model_artifact_path: metaFile.path,
        manifest_artifact_path: savedManifest.manifest.path,
        artifacts_saved_at: new Date(),
        checksums: { meta_model: metaFile.sha256, manifest: savedManifest.manifest.sha256 },
        manifest: bundle.models.map((m, j) => {
          const a = byRun.get(m.version.run_id)?.artifacts;
          return { model_id: modelIds[j], run_id: m.version.run_id, checksums: { model: a?.model?.sha256, scaler: a?.scaler?.sha256, features: a?.features?.sha256 } };
        }),
        status: "trained",
      });
      result.ensemble = { id: String(ensembleId), name: ensemble.name, run_id: ensemble.run_id };
    }
    log.info({ models: result.models.length, ensemble: result.ensemble?.id ?? null }, "bundle imported");
    return result;
  } catch (err) {
    if (ensembleId) await Ensemble.deleteOne({ _id: ensembleId }).catch(() => undefined);
    await ModelConfig.deleteMany({ _id: { $in: modelIds } }).catch(() => undefined);
    await ModelVersion.deleteMany({ model_id: { $in: modelIds } }).catch(() => undefined);
    await deleteArtifactSet(store, written).catch(() => undefined);
    throw err;
  }
}
