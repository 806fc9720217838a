import mongoose from "mongoose";
import {
  artifactStamps,
  defaultArtifactStore,
  deleteArtifactSet,
  verifyArtifact,
  type ArtifactKind,
  type ArtifactStatus,
  type ArtifactStore,
} from "@/lib/artifacts";
import { boundedCache } from "@/lib/cache";
import { config } from "@/lib/config";
import { datasetFacts } from "@/lib/datasets";
import { connectDb, findByIdOrThrow, findPage, isoOrNull, type PageRequest } from "@/lib/db";
import { ConflictError, NotFoundError, ValidationError, parseInput } from "@/lib/errors";
import { withTargetLock } from "@/lib/jobs/locks";
import type { JobView } from "@/lib/jobs/queue";
import { requestJob } from "@/lib/jobs/request";
import { estimateTrainingSeconds, isAlgorithm, parseHyperparameters, type HyperparameterSet } from "@/lib/ml/algorithms";
import { checkFactsFit } from "@/lib/ml/csv-facts";
import { parsePredictRows, rowsToMatrix } from "@/lib/ml/matrix";
import { scoreInHalves } from "@/lib/ml/scoring-thread";
import { CALIBRATIONS, type Calibration } from "@/lib/ml/pipeline";
import { Dataset } from "@/models/Dataset";
import { Ensemble } from "@/models/Ensemble";
import { ModelConfig } from "@/models/ModelConfig";
import type { Metrics } from "@/lib/ml/metrics";
import { PATH_PROJECTION, artifactPaths, artifactRefs, type ModelArtifactKind } from "./artifact-refs";
import { loadTrainedModel, type ModelArtifactDoc } from "./load";
import { servingStamp } from "@/lib/stamped-cache";
import { servingHead, stampedListing } from "./serving";
import { deleteVersionsOf, listVersions, type Actor, type VersionView } from "./versions";
import { ModelConfigInput, ModelConfigPatch } from "./schemas";

// The mongoose schema cannot see lib/ml; the registry's and the pipeline's vocabularies are attached here, where configs are written.
ModelConfig.schema.path("algorithm").validate(isAlgorithm, "unknown algorithm {VALUE}");
ModelConfig.schema.path("calibration").validate((v: string) => (CALIBRATIONS as readonly string[]).includes(v), "unknown calibration {VALUE}");

type ModelLean = mongoose.FlattenMaps<import("@/models/ModelConfig").ModelConfigFields> & {
  _id: mongoose.Types.ObjectId;
  createdAt?: Date;
  updatedAt?: Date;
};

/** The verified state of one artifact file, as listings show it. */
export interface ArtifactState {
  path: string | null;
  status: ArtifactStatus;
  bytes: number | null;
  sha256: string | null;
  reason?: string;
}

/** The API's JSON for a model config; field names are the product's contract. */
export type ModelView = ReturnType<typeof toModelView> & {
  artifacts?: Record<ModelArtifactKind, ArtifactState>;
  artifacts_ok?: boolean;
};
/** A model with its versions (every run, newest first) and the audit trail of pointer moves. */
export type ModelDetail = ModelView & { versions: VersionView[]; promotions: Array<{ at: string | null; by: Actor | null; from: string | null; to: string }> };

export function toModelView(doc: ModelLean) {
  return {
    id: String(doc._id),
    name: doc.name,
    algorithm: doc.algorithm,
    hyperparameters: (doc.hyperparameters ?? {}) as HyperparameterSet,
    features: [...doc.features],
    target: doc.target,
    training_csv: doc.training_csv,
    calibration: (doc.calibration ?? "none") as Calibration,
    seed: doc.seed ?? 42,
    model_artifact_path: doc.model_artifact_path ?? null,
    scaler_artifact_path: doc.scaler_artifact_path ?? null,
    features_path: doc.features_path ?? null,
    run_id: doc.run_id ?? null,
    artifacts_saved_at: isoOrNull(doc.artifacts_saved_at),
    checksums: {
      model: doc.checksums?.model ?? null,
      scaler: doc.checksums?.scaler ?? null,
      features: doc.checksums?.features ?? null,
    },
    metrics: (doc.metrics as Metrics | null) ?? null,
    training_ms: doc.training_ms ?? null,
    status: doc.status ?? "untrained",
    last_error: doc.last_error ?? null,
    /** False once its dataset was deleted on purpose: it keeps serving, but cannot be trained again. */
    retrainable: doc.retrainable !== false,
    created_at: isoOrNull(doc.createdAt),
    updated_at: isoOrNull(doc.updatedAt),
  };
}

type Verification = Awaited<ReturnType<typeof verifyArtifact>>;
const verifications = boundedCache<{ stamp: string; result: Verification }>("artifact-verifications", 5000);

/**
 * verifyArtifact (read, sha256, parse) remembered per file while its size and
 * mtime stay the same: a listing stats every file of its page (one round trip
 * on GridFS) but re-reads only files that changed, so a large forest is not
 * re-hashed on each page view.
 */
async function verifyRemembered(
  store: ArtifactStore,
  ref: { path: string | null; sha256: string | null; kind: ArtifactKind },
  stamp: string,
): Promise<Verification> {
  const key = `${ref.kind}|${ref.path}|${ref.sha256}`;
  const hit = verifications.get(key);
  if (hit && hit.stamp === stamp && stamp !== "absent") return hit.result;
  const result = await verifyArtifact(store, ref);
  verifications.set(key, { stamp, result });
  return result;
}

/** Adds the verified state of each artifact (present / missing / corrupt) to each view. */
export async function withArtifactStatus<V extends ModelView>(views: V[]): Promise<V[]> {
  const store = defaultArtifactStore();
  const refs = views.map((v) => artifactRefs(v));
  const paths = refs.flat().flatMap((r) => (r.path ? [r.path] : []));
  const stamps = new Map(paths.map((p, i) => [p, i]));
  const stampList = paths.length ? await artifactStamps(store, paths) : [];
  return Promise.all(
    views.map(async (view, i) => {
      const entries = await Promise.all(
        refs[i].map(async (ref) => {
          const stamp = ref.path ? stampList[stamps.get(ref.path) as number] : "absent";
          const v = await verifyRemembered(store, ref, stamp);
          const state: ArtifactState = { path: ref.path, status: v.status, bytes: v.bytes, sha256: ref.sha256, ...(v.reason ? { reason: v.reason } : {}) };
          return [ref.kind, state] as const;
        }),
      );
      const artifacts = Object.fromEntries(entries) as Record<ModelArtifactKind, ArtifactState>;
      return { ...view, artifacts, artifacts_ok: entries.every(([, st]) => st.status === "present") };
    }),
  );
}

/**
 * Checks a config against its dataset before anything is written: the dataset
 * exists inside the data folder, the columns exist, the values are numbers, the
 * target is 0/1 with both classes, the hyperparameters suit the algorithm, and
 * training would stay within MAX_TRAINING_SECONDS.
 */
async function validateAgainstDataset(cfg: ModelConfigInput): Promise<void> {
  const hyperparameters = parseHyperparameters(cfg.algorithm, cfg.hyperparameters); // throws ValidationError keyed hyperparameters.<name>
  if (cfg.features.includes(cfg.target)) {
    throw new ValidationError("The target cannot also be a feature.", { features: [`remove "${cfg.target}" from the features`] });
  }
  if (new Set(cfg.features).size !== cfg.features.length) {
    throw new ValidationError("A feature is listed twice.", { features: ["features must not repeat"] });
  }
  // The facts recorded at upload: a 50 MB dataset is not parsed again on the request path.
  const { facts } = await datasetFacts(cfg.training_csv);
  checkFactsFit(facts, { features: cfg.features, target: cfg.target });
  await assertTrainingWithinLimit({ ...cfg, hyperparameters }, facts.rows);
}

function formatSeconds(s: number): string {
  return s < 120 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`;
}

/**
 * Refuses settings whose estimated training time exceeds MAX_TRAINING_SECONDS,
 * so one config cannot hold a worker for hours. The row count is the dataset's
 * recorded one (`rowsIfUnrecorded` for a file no upload recorded).
 */
export async function assertTrainingWithinLimit(
  cfg: { algorithm: string; hyperparameters?: HyperparameterSet; features: string[]; training_csv: string },
  rowsIfUnrecorded?: number,
): Promise<void> {
  const recorded = await Dataset.findOne({ path: cfg.training_csv }, { rows: 1 }).lean();
  const rows = recorded?.rows ?? rowsIfUnrecorded;
  if (rows === undefined) return;
  const seconds = estimateTrainingSeconds(cfg.algorithm, cfg.hyperparameters ?? {}, rows, cfg.features.length);
  const limit = config().maxTrainingSeconds;
  if (seconds <= limit) return;
  throw new ValidationError(
    `Training would take about ${formatSeconds(seconds)} on ${rows} rows, more than the limit of ${formatSeconds(limit)} (MAX_TRAINING_SECONDS); choose lighter hyperparameters or a smaller dataset.`,
    { hyperparameters: [`estimated ${formatSeconds(seconds)}, limit ${formatSeconds(limit)}`] },
  );
}

function busyMessage(name: string, doing: string): string {
  return `Model "${name}" is training; wait until it finishes before ${doing} it.`;
}

async function assertNameFree(name: string, exceptId?: string): Promise<void> {
  const clash = await ModelConfig.findOne({ name, ...(exceptId ? { _id: { $ne: new mongoose.Types.ObjectId(exceptId) } } : {}) }).lean();
  if (clash) throw new ValidationError(`A model named "${name}" already exists.`, { name: ["this name is taken"] });
}

export async function createModelConfig(input: unknown): Promise<ModelView> {
  const cfg = parseInput(ModelConfigInput, input);
  await connectDb();
  await assertNameFree(cfg.name);
  await validateAgainstDataset(cfg);
  try {
    const doc = await ModelConfig.create({ ...cfg, hyperparameters: parseHyperparameters(cfg.algorithm, cfg.hyperparameters) });
    return toModelView(doc.toObject() as ModelLean);
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new ValidationError(`A model named "${cfg.name}" already exists.`, { name: ["this name is taken"] });
    throw err;
  }
}

function findModel(id: string): Promise<ModelLean> {
  return findByIdOrThrow<ModelLean>(ModelConfig, id, "model");
}

export async function getModel(id: string): Promise<ModelDetail> {
  const doc = await findModel(id);
  const [[view], versions] = await Promise.all([withArtifactStatus([toModelView(doc)]), listVersions(id, doc.run_id ?? null)]);
  const promotions = (doc.promotions ?? []).map((p) => ({ at: isoOrNull(p.at), by: (p.by as Actor | null) ?? null, from: p.from ?? null, to: p.to ?? "" })).reverse();
  return { ...view, versions, promotions };
}

/** One page of models (oldest first, or newest first), each with its artifacts' verified state. */
export async function listModels(page: PageRequest = { limit: 50 }, order: 1 | -1 = 1): Promise<{ models: ModelView[]; next_cursor: string | null }> {
  const { views, next_cursor } = await stampedListing(`models|${order}|${page.limit}|${page.cursor ?? ""}`, async () => {
    const found = await findPage<ModelLean>(ModelConfig, {}, page, order);
    return { views: found.items.map(toModelView), next_cursor: found.next_cursor };
  });
  // The artifacts' state is not the documents': it is checked on every call, against the store's own cheap stamps.
  return { models: await withArtifactStatus(views), next_cursor };
}

/** How many models exist and how many have a trained run: counted, not listed, so it stays cheap with hundreds. */
export async function countModels(): Promise<{ total: number; trained: number }> {
  await connectDb();
  return stampedListing("models|counts", async () => {
    const [total, trained] = await Promise.all([ModelConfig.estimatedDocumentCount(), ModelConfig.countDocuments({ run_id: { $ne: null } })]);
    return { total, trained };
  });
}

/**
 * Changes a config. The existing artifacts stay as they are (and keep serving
 * predictions) until the model is trained again with the new settings.
 */
export async function updateModelConfig(id: string, input: unknown): Promise<ModelView> {
  const patch = parseInput(ModelConfigPatch, input);
  const current = await findModel(id);
  const merged = parseInput(ModelConfigInput, {
    name: current.name,
    algorithm: current.algorithm,
    hyperparameters: patch.algorithm && patch.algorithm !== current.algorithm && !patch.hyperparameters ? {} : current.hyperparameters,
    features: current.features,
    target: current.target,
    training_csv: current.training_csv,
    calibration: current.calibration,
    seed: current.seed,
    ...patch,
  });
  if (patch.name) await assertNameFree(merged.name, id);
  await validateAgainstDataset(merged);
  const hyperparameters = parseHyperparameters(merged.algorithm, merged.hyperparameters);
  await withTargetLock(ModelConfig, current._id, busyMessage(current.name, "changing"), () =>
    ModelConfig.updateOne({ _id: current._id }, { $set: { ...merged, hyperparameters } }),
  );
  return getModel(id);
}

/** Deletes the config and its artifacts. Refused while training or while an ensemble uses it. */
export async function deleteModel(id: string): Promise<{ deleted: true; removed_artifacts: number }> {
  const doc = await findModel(id);
  const users = await Ensemble.find({ base_model_ids: doc._id }, { name: 1 }).lean();
  if (users.length > 0) {
    throw new ConflictError(
      `Model "${doc.name}" is used by the ensemble${users.length > 1 ? "s" : ""} ${users.map((u) => `"${u.name}"`).join(", ")}; delete ${users.length > 1 ? "them" : "it"} first.`,
    );
  }
  const res = await withTargetLock(ModelConfig, doc._id, busyMessage(doc.name, "deleting"), () => ModelConfig.deleteOne({ _id: doc._id }));
  if (res.deletedCount !== 1) throw new NotFoundError("model", id);
  // Every version goes with it; the current version's files are among them (and removed here too for configs trained before versions).
  const removed = await deleteVersionsOf(doc._id);
  await deleteArtifactSet(defaultArtifactStore(), artifactPaths(doc));
  return { deleted: true, removed_artifacts: Math.max(removed, artifactPaths(doc).length) };
}

/** Queues a training job; 409 while one is queued or running, 400 when it would take longer than MAX_TRAINING_SECONDS. */
export async function requestTraining(id: string, requestedBy: Actor | null = null): Promise<JobView> {
  const doc = await findModel(id);
  if (doc.retrainable === false) {
    throw new ConflictError(`Model "${doc.name}" cannot be retrained: its dataset "${doc.training_csv}" was deleted. Its current version keeps serving.`);
  }
  await assertTrainingWithinLimit({ ...doc, hyperparameters: (doc.hyperparameters ?? {}) as Record<string, number> });
  return requestJob("train_model", ModelConfig, doc._id, `Model "${doc.name}" is already training; wait for that run to finish.`, requestedBy);
}

/** What serving a model reads of its config: the features and the current version's artifacts. */
const SERVING_PROJECTION = { name: 1, features: 1, run_id: 1, checksums: 1, artifact_bytes: 1, artifacts_saved_at: 1, ...PATH_PROJECTION } as const;
type ModelServingHead = ModelArtifactDoc & { _id: mongoose.Types.ObjectId; name: string; features: string[] };

/** A model config as serving reads it (its current version), as fresh as `stamp` (see servingHead); null when there is none. */
export function modelServingHead(id: string, stamp: Promise<string>): Promise<ModelServingHead | null> {
  return servingHead(`model:${id}`, () => ModelConfig.findById(id, SERVING_PROJECTION).lean<ModelServingHead>(), stamp);
}

/**
 * Probabilities of target = 1, served from the saved artifacts (cached after the
 * first load) of the version current when the request arrived (see servingHead).
 * `input` is the request body, or a promise of it while it is still being read:
 * the serving stamp's read goes out first, so its round trip overlaps the reading
 * and parsing, and a bad body is still refused before an unknown id.
 */
export async function predictWithModel(id: string, input: unknown): Promise<{ probabilities: number[]; run_id: string }> {
  const stamp = mongoose.isValidObjectId(id) ? servingStamp() : null;
  const rows = parsePredictRows(await input);
  if (!stamp) throw new NotFoundError("model", id);
  const doc = await modelServingHead(id, stamp);
  if (!doc) throw new NotFoundError("model", id);
  const X = rowsToMatrix(rows, doc.features);
  const model = await loadTrainedModel(doc, undefined, { checkFiles: false });
  return { probabilities: await scoreInHalves(model.pipeline, X), run_id: model.runId };
}
