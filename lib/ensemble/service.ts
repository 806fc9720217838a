import mongoose from "mongoose";
import { defaultArtifactStore, deleteArtifactSet } from "@/lib/artifacts";
import { datasetFacts } from "@/lib/datasets";
import { connectDb, findByIdOrThrow, findByIds, findPage, isoOrNull, type PageRequest } from "@/lib/db";
import { NotFoundError, ValidationError, parseInput } from "@/lib/errors";
import { withTargetLock } from "@/lib/jobs/locks";
import type { JobView } from "@/lib/jobs/queue";
import { requestJob } from "@/lib/jobs/request";
import { isAlgorithm } from "@/lib/ml/algorithms";
import { checkFactsFit } from "@/lib/ml/csv-facts";
import type { Metrics } from "@/lib/ml/metrics";
import { stampedListing } from "@/lib/training/serving";
import { Ensemble, type EnsembleFields } from "@/models/Ensemble";
import { ModelConfig, type ModelConfigLean } from "@/models/ModelConfig";
import { readHoldoutSummary } from "./holdout";
import { deleteRunHistory, readRunHistory, type RunEntry } from "./runs";
import { EnsembleInput } from "./schemas";

// The mongoose schema cannot see the algorithm registry; its check is attached here, where ensembles are written.
Ensemble.schema.path("meta_model_type").validate(isAlgorithm, "unknown algorithm {VALUE}");

export type EnsembleLean = mongoose.FlattenMaps<EnsembleFields> & {
  _id: mongoose.Types.ObjectId;
  createdAt?: Date;
  updatedAt?: Date;
};

type BaseInfo = { _id: mongoose.Types.ObjectId; name: string; run_id?: string | null; training_ms?: number | null };

/** The API's JSON for an ensemble. */
export type EnsembleView = ReturnType<typeof toEnsembleView>;
export type EnsembleRunView = EnsembleView["runs"][number];

/**
 * Builds the view, including whether a base model changed since the ensemble
 * was built (`stale`), with `runs`: the history (getEnsemble), the newest run
 * alone (listings), or none where only staleness matters.
 */
export function toEnsembleView(doc: EnsembleLean, bases: BaseInfo[], runs: readonly RunEntry[] = []) {
  const byId = new Map(bases.map((b) => [String(b._id), b]));
  const manifest = (doc.manifest ?? []).map((m) => ({ model_id: String(m.model_id), run_id: m.run_id }));
  const staleModels = doc.run_id
    ? manifest
        .filter((m) => byId.get(m.model_id)?.run_id !== m.run_id)
        .map((m) => ({
          model_id: m.model_id,
          name: byId.get(m.model_id)?.name ?? null,
          built_with: m.run_id,
          now: byId.get(m.model_id)?.run_id ?? null,
        }))
    : [];
  return {
    id: String(doc._id),
    name: doc.name,
    base_model_ids: doc.base_model_ids.map(String),
    base_models: doc.base_model_ids.map((id) => {
      const b = byId.get(String(id));
      return { id: String(id), name: b?.name ?? null, run_id: b?.run_id ?? null, exists: !!b, training_ms: b?.training_ms ?? null };
    }),
    meta_model_type: doc.meta_model_type ?? "logistic_regression",
    meta_training_csv: doc.meta_training_csv,
    target: doc.target,
    seed: doc.seed ?? 42,
    run_id: doc.run_id ?? null,
    meta_model_artifact_path: doc.meta_model_artifact_path ?? null,
    manifest_artifact_path: doc.manifest_artifact_path ?? null,
    artifacts_saved_at: isoOrNull(doc.artifacts_saved_at),
    checksums: { meta_model: doc.checksums?.meta_model ?? null, manifest: doc.checksums?.manifest ?? null },
    manifest,
    status: doc.status ?? "untrained",
    last_error: doc.last_error ?? null,
    // The flag covers a base model that moved and came back (a promote back to the built run): rebuild to clear it.
    stale: staleModels.length > 0 || (!!doc.run_id && doc.stale === true),
    stale_models: staleModels,
    runs: runs.map((r) => ({
      run_id: r.run_id ?? null,
      started_at: isoOrNull(r.started_at) ?? "",
      total_ms: r.total_ms ?? null,
      meta_ms: r.meta_ms ?? null,
      status: r.status,
      error: r.error ?? null,
      metrics: (r.metrics as Metrics | null) ?? null,
      holdout: readHoldoutSummary(r.holdout),
      base: (r.base ?? []).map((b) => ({
        model_id: String(b.model_id),
        model_name: b.model_name ?? null,
        run_id: b.run_id ?? null,
        source: b.source,
        ms: b.ms,
        note: b.note ?? null,
        metrics: (b.metrics as Metrics | null) ?? null,
      })),
    })),
    created_at: isoOrNull(doc.createdAt),
    updated_at: isoOrNull(doc.updatedAt),
  };
}

async function basesFor(docs: EnsembleLean[]): Promise<BaseInfo[]> {
  const ids = [...new Set(docs.flatMap((d) => d.base_model_ids.map(String)))].map((id) => new mongoose.Types.ObjectId(id));
  return ModelConfig.find({ _id: { $in: ids } }, { name: 1, run_id: 1, training_ms: 1 }).lean<BaseInfo[]>();
}

export function findEnsemble(id: string): Promise<EnsembleLean> {
  return findByIdOrThrow<EnsembleLean>(Ensemble, id, "ensemble");
}

export async function getEnsemble(id: string): Promise<EnsembleView> {
  const doc = await findEnsemble(id);
  const [bases, runs] = await Promise.all([basesFor([doc]), readRunHistory(doc)]);
  return toEnsembleView(doc, bases, runs);
}

/** A listing's runs of an ensemble: its newest only (its page has the history). */
function newestRun(doc: EnsembleLean): RunEntry[] {
  const newest = (doc.last_run ?? doc.runs?.at(-1) ?? null) as RunEntry | null;
  return newest ? [newest] : [];
}

/** One page of ensembles (oldest first, or newest first), each with whether it is stale and its newest run. */
export async function listEnsembles(page: PageRequest = { limit: 50 }, order: 1 | -1 = 1): Promise<{ ensembles: EnsembleView[]; next_cursor: string | null }> {
  // Built from ensembles and their base models' configs only, so remembered under the serving stamp.
  return stampedListing(`ensembles|${order}|${page.limit}|${page.cursor ?? ""}`, async () => {
    const { items, next_cursor } = await findPage<EnsembleLean>(Ensemble, {}, page, order);
    const bases = await basesFor(items);
    return { ensembles: items.map((d) => toEnsembleView(d, bases, newestRun(d))), next_cursor };
  });
}

/** The ensembles that stack a model (indexed by base model). */
export async function ensemblesUsing(modelId: string): Promise<EnsembleView[]> {
  await connectDb();
  const docs = await Ensemble.find({ base_model_ids: new mongoose.Types.ObjectId(modelId) }).lean<EnsembleLean[]>();
  const bases = await basesFor(docs);
  return docs.map((d) => toEnsembleView(d, bases, newestRun(d)));
}

export async function countEnsembles(): Promise<number> {
  await connectDb();
  // Even an estimated count reads every document on FerretDB (260-700 ms for 200 ensembles in bench:scale).
  return stampedListing("ensembles|count", () => Ensemble.estimatedDocumentCount());
}

/**
 * Creates an ensemble config after checking that every base model exists, that
 * they share one target, and that the meta training CSV has every base model's
 * features and the target as numbers.
 */
export async function createEnsemble(input: unknown): Promise<EnsembleView> {
  const cfg = parseInput(EnsembleInput, input);
  await connectDb();
  if (await Ensemble.findOne({ name: cfg.name }).lean()) {
    throw new ValidationError(`An ensemble named "${cfg.name}" already exists.`, { name: ["this name is taken"] });
  }
  const bases = await findByIds<ModelConfigLean>(ModelConfig, cfg.base_model_ids);
  const found = new Set(bases.map((b) => String(b._id)));
  const unknown = cfg.base_model_ids.filter((id) => !found.has(id));
  if (unknown.length) throw new ValidationError("Some base models do not exist.", { base_model_ids: [`unknown: ${unknown.join(", ")}`] });
  const targets = [...new Set(bases.map((b) => b.target))];
  if (targets.length !== 1) {
    throw new ValidationError("The base models predict different targets.", { base_model_ids: [`targets: ${targets.join(", ")}`] });
  }
  const features = [...new Set(bases.flatMap((b) => b.features))];
  // The facts recorded at upload: the meta CSV is not parsed again on the request path.
  const { facts } = await datasetFacts(cfg.meta_training_csv, "meta_training_csv");
  try {
    checkFactsFit(facts, { features, target: targets[0] });
  } catch (err) {
    if (err instanceof ValidationError) {
      throw new ValidationError(`The meta training dataset does not fit these base models: ${err.message}`, {
        meta_training_csv: [err.message, ...Object.values(err.fields).flat()].slice(0, 6),
      });
    }
    throw err;
  }
  try {
    const doc = await Ensemble.create({ ...cfg, target: targets[0] });
    return getEnsemble(String(doc._id));
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new ValidationError(`An ensemble named "${cfg.name}" already exists.`, { name: ["this name is taken"] });
    throw err;
  }
}

export async function deleteEnsemble(id: string): Promise<{ deleted: true; removed_artifacts: number }> {
  const doc = await findEnsemble(id);
  const res = await withTargetLock(Ensemble, doc._id, `Ensemble "${doc.name}" is being built; wait until it finishes before deleting it.`, () =>
    Ensemble.deleteOne({ _id: doc._id }),
  );
  if (res.deletedCount !== 1) throw new NotFoundError("ensemble", id);
  await deleteRunHistory(doc._id);
  const paths = [doc.meta_model_artifact_path, doc.manifest_artifact_path].filter((p): p is string => !!p);
  await deleteArtifactSet(defaultArtifactStore(), paths);
  return { deleted: true, removed_artifacts: paths.length };
}

/** Queues a build; 409 while one is queued or running. */
export async function requestEnsembleTraining(id: string): Promise<JobView> {
  const doc = await findEnsemble(id);
  return requestJob("train_ensemble", Ensemble, doc._id, `Ensemble "${doc.name}" is already being built; wait for that run to finish.`);
}
