import mongoose from "mongoose";
import { ARTIFACT_FORMAT_VERSION, defaultArtifactStore, deleteArtifactSet, verifyArtifact, type ArtifactStore, type SavedArtifact } from "@/lib/artifacts";
import { config } from "@/lib/config";
import { connectDb, isoOrNull } from "@/lib/db";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { withTargetLock } from "@/lib/jobs/locks";
import { childLogger } from "@/lib/log";
import { learnerOf } from "@/lib/ml/algorithms";
import type { Metrics } from "@/lib/ml/metrics";
import { APP_VERSION } from "@/lib/version";
import { Ensemble } from "@/models/Ensemble";
import { ModelConfig } from "@/models/ModelConfig";
import { ModelVersion, type TRAINING_TRIGGERS } from "@/models/ModelVersion";
import { MODEL_ARTIFACT_KINDS, artifactFieldsFor, type ModelArtifactKind } from "./artifact-refs";
import { markEnsemblesStale } from "./stale";

const log = childLogger("versions");

/** Who started a run or moved a pointer. */
export interface Actor {
  id: string;
  name: string;
}

export type Trigger = (typeof TRAINING_TRIGGERS)[number];

/** What a version records about the run that made it. */
export interface RunFacts {
  modelId: string;
  runId: string;
  spec: { algorithm: string; hyperparameters: Record<string, number>; features: string[]; target: string; calibration: string; seed: number };
  trigger: Trigger;
  startedBy: Actor | null;
  startedAt: Date;
  dataset: { path: string; sha256: string; rows: number } | null;
}

type VersionLean = {
  _id: mongoose.Types.ObjectId;
  model_id: mongoose.Types.ObjectId;
  run_id: string;
  status: "succeeded" | "failed";
  trigger: string;
  started_by: Actor | null;
  started_at: Date;
  finished_at: Date | null;
  training_ms: number | null;
  error: string | null;
  algorithm: string;
  hyperparameters: Record<string, number>;
  features: string[];
  target: string;
  calibration: string;
  seed: number;
  metrics: Metrics | null;
  artifacts: Record<ModelArtifactKind, SavedArtifact> | null;
  dataset: { path: string; sha256: string; rows: number } | null;
  runtime: { node: string; app_version: string; learner: string; format_version: number } | null;
  retired_at: Date | null;
};

function runtimeOf(spec: RunFacts["spec"]) {
  return { node: process.version, app_version: APP_VERSION, learner: learnerOf(spec.algorithm, spec.hyperparameters), format_version: ARTIFACT_FORMAT_VERSION };
}

/** Records a successful run as a version holding its artifacts (nothing points at it yet). */
export async function recordVersion(run: RunFacts, outcome: { saved: Record<ModelArtifactKind, SavedArtifact>; metrics: Metrics; trainingMs: number; finishedAt: Date }): Promise<void> {
  await ModelVersion.create({
    model_id: new mongoose.Types.ObjectId(run.modelId),
    run_id: run.runId,
    status: "succeeded",
    trigger: run.trigger,
    started_by: run.startedBy,
    started_at: run.startedAt,
    finished_at: outcome.finishedAt,
    training_ms: outcome.trainingMs,
    ...run.spec,
    metrics: outcome.metrics,
    artifacts: outcome.saved,
    dataset: run.dataset,
    runtime: runtimeOf(run.spec),
  });
}

/** Records a failed run: it stays in the history, without artifacts. */
export async function recordFailedRun(run: RunFacts, error: string): Promise<void> {
  await ModelVersion.create({
    model_id: new mongoose.Types.ObjectId(run.modelId),
    run_id: run.runId,
    status: "failed",
    trigger: run.trigger,
    started_by: run.startedBy,
    started_at: run.startedAt,
    finished_at: new Date(),
    error,
    ...run.spec,
    dataset: run.dataset,
    runtime: runtimeOf(run.spec),
  });
}

export type VersionView = ReturnType<typeof toVersionView>;

function toVersionView(v: VersionLean, currentRunId: string | null) {
  return {
    run_id: v.run_id,
    status: v.status,
    current: v.run_id === currentRunId,
    retired: v.retired_at !== null && v.retired_at !== undefined,
    trigger: v.trigger,
    started_by: v.started_by ?? null,
    started_at: isoOrNull(v.started_at) ?? "",
    finished_at: isoOrNull(v.finished_at),
    training_ms: v.training_ms ?? null,
    error: v.error ?? null,
    metrics: v.metrics ?? null,
    hyperparameters: v.hyperparameters,
    features: v.features,
    calibration: v.calibration ?? "none",
    seed: v.seed ?? 42,
    artifacts: v.artifacts ?? null,
    dataset: v.dataset ?? null,
    runtime: v.runtime ?? null,
  };
}

/** A model's runs, newest first (at most the newest 200: the retention sweep keeps far fewer with artifacts). */
export async function listVersions(modelId: string, currentRunId: string | null): Promise<VersionView[]> {
  await connectDb();
  const docs = await ModelVersion.find({ model_id: new mongoose.Types.ObjectId(modelId) }).sort({ started_at: -1 }).limit(200).lean<VersionLean[]>();
  return docs.map((d) => toVersionView(d, currentRunId));
}

/** Whether every artifact of a version is present and verifies; the first problem otherwise. */
async function verifyVersion(v: VersionLean, store: ArtifactStore): Promise<{ ok: boolean; problem?: string }> {
  if (!v.artifacts || v.retired_at) return { ok: false, problem: "its artifacts were removed by the retention sweep" };
  for (const kind of MODEL_ARTIFACT_KINDS) {
    const a = v.artifacts[kind];
    const check = await verifyArtifact(store, { path: a.path, sha256: a.sha256, kind, run_id: v.run_id });
    if (check.status !== "present") return { ok: false, problem: `its ${kind} artifact is ${check.status}${check.reason ? ` (${check.reason})` : ""}` };
  }
  return { ok: true };
}

/** The newest successful run other than `exceptRunId` whose artifacts all verify, if any. */
export async function newestIntactVersion(modelId: string, exceptRunId: string | null, store: ArtifactStore = defaultArtifactStore()): Promise<VersionView | null> {
  const docs = await ModelVersion.find({ model_id: new mongoose.Types.ObjectId(modelId), status: "succeeded", retired_at: null, run_id: { $ne: exceptRunId } })
    .sort({ started_at: -1 })
    .limit(20)
    .lean<VersionLean[]>();
  for (const d of docs) if ((await verifyVersion(d, store)).ok) return toVersionView(d, null);
  return null;
}

/**
 * Moves a model's pointer to an earlier version (a rollback) after verifying
 * that version's artifacts, under the model's lock so no training or retention
 * sweep interleaves. The seed's fields and an audit entry change in one update,
 * so the document is never half moved. Ensembles built on another run become
 * stale, exactly as after a retrain.
 */
export async function promoteVersion(modelId: string, runId: string, by: Actor, store: ArtifactStore = defaultArtifactStore()) {
  if (!mongoose.isValidObjectId(modelId)) throw new NotFoundError("model", modelId);
  await connectDb();
  const model = await ModelConfig.findById(modelId, { name: 1, run_id: 1 }).lean();
  if (!model) throw new NotFoundError("model", modelId);
  return withTargetLock(ModelConfig, model._id, `Model "${model.name}" is training; promote a version when that run has finished.`, async () => {
    const version = await ModelVersion.findOne({ model_id: model._id, run_id: runId }).lean<VersionLean>();
    if (!version) throw new NotFoundError(`version of model "${model.name}"`, runId);
    if (version.status !== "succeeded") throw new ConflictError(`Run ${runId} of model "${model.name}" failed; only a successful run can become the current version.`);
    const current = await ModelConfig.findById(model._id).lean();
    if (current?.run_id === runId) throw new ConflictError(`Run ${runId} is already the current version of model "${model.name}".`);
    const check = await verifyVersion(version, store);
    if (!check.ok) throw new ConflictError(`Run ${runId} of model "${model.name}" cannot become the current version: ${check.problem}.`);
    const artifacts = version.artifacts as Record<ModelArtifactKind, SavedArtifact>;
    const now = new Date();
    await markEnsemblesStale(model._id);
    await ModelConfig.updateOne(
      { _id: model._id },
      {
        $set: { ...artifactFieldsFor(runId, artifacts, now), metrics: version.metrics, training_ms: version.training_ms, status: "trained", last_error: null },
        $push: { promotions: { $each: [{ at: now, by, from: current?.run_id ?? null, to: runId }], $slice: -100 } },
      },
    );
    // The retention sweep takes no lock: if it retired this version between the check and the move, move back.
    if ((await ModelVersion.findById(version._id, { retired_at: 1 }).lean())?.retired_at) {
      const back = Object.fromEntries(
        ["model_artifact_path", "scaler_artifact_path", "features_path", "run_id", "artifacts_saved_at", "checksums", "artifact_bytes", "metrics", "training_ms"].map((k) => [
          k,
          (current as Record<string, unknown> | null)?.[k] ?? null,
        ]),
      );
      await ModelConfig.updateOne({ _id: model._id }, { $set: back, $pop: { promotions: 1 } });
      throw new ConflictError(`Run ${runId} of model "${model.name}" was retired by the retention sweep just now; choose a newer version.`);
    }
    log.info({ model_id: modelId, from: current?.run_id, to: runId, by: by.id }, "version promoted");
    return { model_id: modelId, from: current?.run_id ?? null, to: runId, promoted_at: now.toISOString() };
  });
}

/**
 * Retires versions beyond the newest `keep` successful ones of each model, except
 * the current version and any version an ensemble's latest build uses. It takes
 * no lock (training and edits never wait for it): a version is marked retired,
 * the model's pointer is read again, and only a version that is still not
 * current loses its files (a promote that raced it sees the mark and moves
 * back). A crash between the mark and the deletion leaves only files no
 * version claims, which the orphan sweep removes; every version still listed
 * as available keeps all its files.
 */
export async function sweepVersions(keep: number = config().keepVersions, store: ArtifactStore = defaultArtifactStore()): Promise<{ retired: string[] }> {
  await connectDb();
  const retired: string[] = [];
  const used = new Set((await Ensemble.find({}, { manifest: 1 }).lean()).flatMap((e) => (e.manifest ?? []).map((m) => m.run_id)));
  const modelIds = await ModelVersion.distinct("model_id", { status: "succeeded", retired_at: null });
  for (const modelId of modelIds) {
    const currentOf = async () => (await ModelConfig.findById(modelId, { run_id: 1 }).lean())?.run_id ?? null;
    const current = await currentOf();
    const versions = await ModelVersion.find({ model_id: modelId, status: "succeeded", retired_at: null }).sort({ started_at: -1 }).lean<VersionLean[]>();
    for (const [i, v] of versions.entries()) {
      if (i < keep || v.run_id === current || used.has(v.run_id)) continue;
      await ModelVersion.updateOne({ _id: v._id }, { $set: { retired_at: new Date() } });
      if ((await currentOf()) === v.run_id) {
        await ModelVersion.updateOne({ _id: v._id }, { $set: { retired_at: null } });
        continue;
      }
      await deleteArtifactSet(store, MODEL_ARTIFACT_KINDS.map((k) => v.artifacts?.[k]?.path));
      retired.push(v.run_id);
    }
  }
  if (retired.length > 0) log.info({ retired: retired.length, keep }, "retired old model versions");
  return { retired };
}

/** Every artifact path a non-retired version holds: the orphan sweep must never take these. */
export async function versionArtifactPaths(): Promise<string[]> {
  const docs = await ModelVersion.find({ retired_at: null, artifacts: { $ne: null } }, { artifacts: 1 }).lean<Pick<VersionLean, "artifacts">[]>();
  return docs.flatMap((d) => MODEL_ARTIFACT_KINDS.map((k) => d.artifacts?.[k]?.path).filter((p): p is string => !!p));
}

/** Deletes a model's versions and all their artifacts (the model itself is being deleted). */
export async function deleteVersionsOf(modelId: mongoose.Types.ObjectId, store: ArtifactStore = defaultArtifactStore()): Promise<number> {
  const docs = await ModelVersion.find({ model_id: modelId }, { artifacts: 1 }).lean<Pick<VersionLean, "artifacts">[]>();
  const paths = docs.flatMap((d) => MODEL_ARTIFACT_KINDS.map((k) => d.artifacts?.[k]?.path));
  await ModelVersion.deleteMany({ model_id: modelId });
  await deleteArtifactSet(store, paths);
  return paths.filter(Boolean).length;
}
