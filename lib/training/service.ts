import mongoose from "mongoose";
import { defaultArtifactStore, deleteArtifactSet, verifyArtifact, type ArtifactKind } from "@/lib/artifacts";
import { describeDataset, readDatasetText } from "@/lib/datasets";
import { connectDb } from "@/lib/db";
import { ConflictError, NotFoundError, ValidationError, fieldErrorsFromZod } from "@/lib/errors";
import { enqueueJob, type JobView } from "@/lib/jobs/queue";
import { HYPERPARAMETER_SCHEMAS, createClassifier, type Algorithm } from "@/lib/ml/algorithms";
import { parseCsv, toNumericMatrix } from "@/lib/ml/csv";
import { ModelConfig } from "@/models/ModelConfig";
import { Ensemble } from "@/models/Ensemble";
import { loadTrainedModel } from "./loaded-model";
import { ModelConfigInput, ModelConfigPatch, PredictInput } from "./schemas";
import type { ArtifactState, ModelView } from "./views";

type ModelLean = mongoose.FlattenMaps<import("@/models/ModelConfig").ModelConfigFields> & {
  _id: mongoose.Types.ObjectId;
  createdAt?: Date;
  updatedAt?: Date;
};

function iso(d: Date | null | undefined): string | null {
  return d ? new Date(d).toISOString() : null;
}

export function toModelView(doc: ModelLean): ModelView {
  return {
    id: String(doc._id),
    name: doc.name,
    algorithm: doc.algorithm,
    hyperparameters: (doc.hyperparameters ?? {}) as Record<string, unknown>,
    features: [...doc.features],
    target: doc.target,
    training_csv: doc.training_csv,
    calibration: doc.calibration ?? "none",
    seed: doc.seed ?? 42,
    model_artifact_path: doc.model_artifact_path ?? null,
    scaler_artifact_path: doc.scaler_artifact_path ?? null,
    features_path: doc.features_path ?? null,
    run_id: doc.run_id ?? null,
    artifacts_saved_at: iso(doc.artifacts_saved_at),
    checksums: {
      model: doc.checksums?.model ?? null,
      scaler: doc.checksums?.scaler ?? null,
      features: doc.checksums?.features ?? null,
    },
    metrics: (doc.metrics as ModelView["metrics"]) ?? null,
    training_ms: doc.training_ms ?? null,
    status: doc.status ?? "untrained",
    last_error: doc.last_error ?? null,
    history: (doc.history ?? []).map((h) => ({
      run_id: h.run_id ?? null,
      started_at: iso(h.started_at) ?? "",
      finished_at: iso(h.finished_at),
      training_ms: h.training_ms ?? null,
      status: h.status,
      trigger: h.trigger ?? "manual",
      metrics: (h.metrics as ModelView["metrics"]) ?? null,
      error: h.error ?? null,
    })),
    created_at: iso(doc.createdAt),
    updated_at: iso(doc.updatedAt),
  };
}

const ARTIFACT_FIELDS: Array<{ key: "model" | "scaler" | "features"; path: keyof ModelView; kind: ArtifactKind }> = [
  { key: "model", path: "model_artifact_path", kind: "model" },
  { key: "scaler", path: "scaler_artifact_path", kind: "scaler" },
  { key: "features", path: "features_path", kind: "features" },
];

type Verification = Awaited<ReturnType<typeof verifyArtifact>>;
const verified = ((globalThis as unknown as { __artifactVerifications?: Map<string, { stamp: string; result: Verification }> }).__artifactVerifications ??= new Map());

/**
 * verifyArtifact (read, sha256, parse) remembered per file while its size and
 * mtime stay the same: a listing stats every file on every request but re-reads
 * only files that changed, so a large forest is not re-hashed on each page view.
 */
async function verifyRemembered(store: ReturnType<typeof defaultArtifactStore>, ref: { path: string | null; sha256: string | null; kind: ArtifactKind }): Promise<Verification> {
  const st = ref.path ? await store.stat(ref.path).catch(() => null) : null;
  const stamp = st ? `${st.bytes}:${st.modifiedMs}` : "absent";
  const key = `${ref.kind}|${ref.path}|${ref.sha256}`;
  const hit = verified.get(key);
  if (hit && hit.stamp === stamp && stamp !== "absent") return hit.result;
  const result = await verifyArtifact(store, ref);
  if (verified.size > 5000) verified.clear();
  verified.set(key, { stamp, result });
  return result;
}

/** Adds the verified state of each artifact (present / missing / corrupt) to a view. */
export async function withArtifactStatus(view: ModelView): Promise<ModelView> {
  const store = defaultArtifactStore();
  const entries = await Promise.all(
    ARTIFACT_FIELDS.map(async ({ key, path, kind }) => {
      const p = view[path] as string | null;
      const sha = view.checksums[key];
      const v = await verifyRemembered(store, { path: p, sha256: sha, kind });
      const state: ArtifactState = { path: p, status: v.status, bytes: v.bytes, sha256: sha, ...(v.reason ? { reason: v.reason } : {}) };
      return [key, state] as const;
    }),
  );
  const artifacts = Object.fromEntries(entries) as NonNullable<ModelView["artifacts"]>;
  return { ...view, artifacts, artifacts_ok: entries.every(([, s]) => s.status === "present") };
}

function parseInput<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } } }, input: unknown): T {
  const r = schema.safeParse(input);
  if (!r.success) throw new ValidationError("Some fields are not valid.", fieldErrorsFromZod(r.error.issues));
  return r.data;
}

/**
 * Checks a config against its dataset before anything is written: the dataset
 * exists inside the data folder, the columns exist, the values are numbers, the
 * target is 0/1 with both classes, and the hyperparameters suit the algorithm.
 */
async function validateAgainstDataset(cfg: ModelConfigInput): Promise<void> {
  createClassifier(cfg.algorithm, cfg.hyperparameters, cfg.seed); // throws ValidationError keyed hyperparameters.<name>
  if (cfg.features.includes(cfg.target)) {
    throw new ValidationError("The target cannot also be a feature.", { features: [`remove "${cfg.target}" from the features`] });
  }
  if (new Set(cfg.features).size !== cfg.features.length) {
    throw new ValidationError("A feature is listed twice.", { features: ["features must not repeat"] });
  }
  const text = await readDatasetText(cfg.training_csv);
  toNumericMatrix(parseCsv(text), { features: cfg.features, target: cfg.target });
}

/** The hyperparameters as stored: validated (createClassifier has checked them) with every default filled in. */
function withDefaults(algorithm: Algorithm, hyperparameters: unknown): Record<string, number> {
  return HYPERPARAMETER_SCHEMAS[algorithm].parse(hyperparameters) as Record<string, number>;
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
    const doc = await ModelConfig.create({ ...cfg, hyperparameters: withDefaults(cfg.algorithm, cfg.hyperparameters) });
    return toModelView(doc.toObject() as ModelLean);
  } catch (err) {
    if ((err as { code?: number }).code === 11000) throw new ValidationError(`A model named "${cfg.name}" already exists.`, { name: ["this name is taken"] });
    throw err;
  }
}

async function findModel(id: string): Promise<ModelLean> {
  if (!mongoose.isValidObjectId(id)) throw new NotFoundError("model", id);
  await connectDb();
  const doc = await ModelConfig.findById(id).lean<ModelLean>();
  if (!doc) throw new NotFoundError("model", id);
  return doc;
}

export async function getModel(id: string): Promise<ModelView> {
  return withArtifactStatus(toModelView(await findModel(id)));
}

export async function listModels(): Promise<ModelView[]> {
  await connectDb();
  const docs = await ModelConfig.find().sort({ createdAt: 1 }).lean<ModelLean[]>();
  return Promise.all(docs.map((d) => withArtifactStatus(toModelView(d))));
}

/**
 * Changes a config. The existing artifacts stay as they are (and keep serving
 * predictions) until the model is trained again with the new settings.
 */
export async function updateModelConfig(id: string, input: unknown): Promise<ModelView> {
  const patch = parseInput(ModelConfigPatch, input);
  const current = await findModel(id);
  if (current.status === "queued" || current.status === "training") {
    throw new ConflictError(`Model "${current.name}" is training; wait until it finishes before changing it.`);
  }
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
  const hyperparameters = withDefaults(merged.algorithm, merged.hyperparameters);
  await ModelConfig.updateOne({ _id: current._id }, { $set: { ...merged, hyperparameters } });
  return getModel(id);
}

/** Deletes the config and its artifacts. Refused while training or while an ensemble uses it. */
export async function deleteModel(id: string): Promise<{ deleted: true; removed_artifacts: number }> {
  const doc = await findModel(id);
  if (doc.status === "queued" || doc.status === "training") {
    throw new ConflictError(`Model "${doc.name}" is training; wait until it finishes before deleting it.`);
  }
  const users = await Ensemble.find({ base_model_ids: doc._id }, { name: 1 }).lean();
  if (users.length > 0) {
    throw new ConflictError(
      `Model "${doc.name}" is used by the ensemble${users.length > 1 ? "s" : ""} ${users.map((u) => `"${u.name}"`).join(", ")}; delete ${users.length > 1 ? "them" : "it"} first.`,
    );
  }
  const res = await ModelConfig.deleteOne({ _id: doc._id, status: { $nin: ["queued", "training"] } });
  if (res.deletedCount !== 1) throw new ConflictError(`Model "${doc.name}" started training; try again when it finishes.`);
  const paths = [doc.model_artifact_path, doc.scaler_artifact_path, doc.features_path].filter((p): p is string => !!p);
  await deleteArtifactSet(defaultArtifactStore(), paths);
  return { deleted: true, removed_artifacts: paths.length };
}

/**
 * Queues a training job. The model's status is the lock: it moves to "queued"
 * atomically only if it is not queued or training already, so a second request
 * gets a ConflictError (409).
 */
export async function requestTraining(id: string): Promise<JobView> {
  const doc = await findModel(id);
  const locked = await ModelConfig.findOneAndUpdate(
    { _id: doc._id, status: { $nin: ["queued", "training"] } },
    { $set: { status: "queued", last_error: null } },
  ).lean();
  if (!locked) throw new ConflictError(`Model "${doc.name}" is already training; wait for that run to finish.`);
  try {
    return await enqueueJob("train_model", id);
  } catch (err) {
    await ModelConfig.updateOne({ _id: doc._id }, { $set: { status: locked.status, last_error: (err as Error).message } });
    throw err;
  }
}

/** Probabilities of target = 1, served from the saved artifacts (cached after the first load). */
export async function predictWithModel(id: string, input: unknown): Promise<{ probabilities: number[]; run_id: string }> {
  const { rows } = parseInput(PredictInput, input);
  const doc = await findModel(id);
  const X = rowsToMatrix(rows, doc.features);
  const model = await loadTrainedModel(doc);
  return { probabilities: model.predictProba(X), run_id: model.runId };
}

/** Orders each row's values by the feature list; unknown or missing features are field errors. */
export function rowsToMatrix(rows: Array<Record<string, number>>, features: string[]): number[][] {
  const fields: Record<string, string[]> = {};
  const known = new Set(features);
  rows.forEach((row, i) => {
    const missing = features.filter((f) => !(f in row));
    const unknown = Object.keys(row).filter((k) => !known.has(k));
    if (missing.length) (fields[`rows.${i}`] ??= []).push(`missing: ${missing.join(", ")}`);
    if (unknown.length) (fields[`rows.${i}`] ??= []).push(`unknown columns: ${unknown.join(", ")}`);
  });
  if (Object.keys(fields).length > 0) {
    throw new ValidationError(`Each row needs exactly these features: ${features.join(", ")}.`, fields);
  }
  return rows.map((row) => features.map((f) => row[f]));
}

export { describeDataset };
