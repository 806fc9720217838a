import mongoose from "mongoose";
import { config } from "@/lib/config";
import { connectDb } from "@/lib/db";
import { ConflictError } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { Job, isFinishedJob } from "@/models/Job";
import { Lock } from "@/models/Lock";
import { BUSY_STATUSES, isBusy } from "@/models/statuses";
import { LockHeldError, isDuplicateKey } from "./errors";
import { ensureJobIndexes } from "./indexes";

const log = childLogger("locks");

// Any collection whose documents carry `status` and `last_error` (see models/statuses.ts).
type TargetModel = mongoose.Model<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface LockRecord {
  _id: mongoose.Types.ObjectId;
  key: string;
  owner: string;
  target_collection: string;
  target_id: mongoose.Types.ObjectId;
  previous: { status: string | null; last_error: string | null } | null;
  taken_at: Date;
}

/** How a lock's owner ended, which decides what its target shows afterwards. */
export type ReleaseOutcome =
  /** The job set the target's status itself; a target it left busy goes back to how it was. */
  | { kind: "succeeded" }
  /** Likewise; a target left busy shows the error. */
  | { kind: "failed"; error: string }
  /** The target goes back to how it was before the job: its previous artifacts are still the ones in use. */
  | { kind: "cancelled" }
  /** The job was given up after repeated interruptions: every target it held shows why. */
  | { kind: "abandoned"; error: string }
  /** Nobody knows how the owner ended (its job is gone); a target left busy goes back. */
  | { kind: "orphaned" }
  /** A short edit held it; nothing to put back. */
  | { kind: "none" };

export function targetLockKey(collectionName: string, targetId: string): string {
  return `target:${collectionName}:${targetId}`;
}

/**
 * Takes the lock on one target for `owner` by inserting it under its unique key.
 * Taking a lock the same owner already holds returns it (a job retried after its
 * worker died takes its locks again). A lock whose owner finished or vanished is
 * released first. Throws LockHeldError when another owner holds it.
 */
export async function lockTarget(collection: TargetModel, targetId: mongoose.Types.ObjectId, owner: string): Promise<LockRecord> {
  await connectDb();
  await ensureJobIndexes();
  const targetCollection = collection.collection.collectionName;
  const key = targetLockKey(targetCollection, String(targetId));
  for (let round = 0; round < 3; round++) {
    let lock: LockRecord | null = null;
    try {
      lock = (await Lock.create({ key, owner, target_collection: targetCollection, target_id: targetId })).toObject() as LockRecord;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    if (lock) {
      // Read only now: a previous holder writes its target's final status before it
      // releases, so this read sees what a cancel should put back.
      const current = await collection.findById(targetId, { status: 1, last_error: 1 }).lean<{ status?: string; last_error?: string | null }>();
      const previous = { status: current?.status ?? null, last_error: current?.last_error ?? null };
      await Lock.updateOne({ _id: lock._id }, { $set: { previous } });
      return { ...lock, previous };
    }
    const holder = await Lock.findOne({ key }).lean<LockRecord>();
    if (!holder) continue;
    if (holder.owner === owner) return holder;
    if (await isAbandoned(holder)) {
      await releaseLock(holder, { kind: "orphaned" });
      continue;
    }
    throw new LockHeldError(key, holder.owner);
  }
  throw new LockHeldError(key, "another owner");
}

/** A lock whose job has finished, or whose job never appeared (its requester died) once JOB_STALE_MS has passed. */
async function isAbandoned(lock: LockRecord): Promise<boolean> {
  const graceOver = new Date(lock.taken_at).getTime() < Date.now() - config().jobStaleMs;
  if (!mongoose.isValidObjectId(lock.owner)) return graceOver;
  const job = await Job.findById(lock.owner, { status: 1 }).lean();
  return job ? isFinishedJob(job.status) : graceOver;
}

function targetAfter(lock: LockRecord, outcome: ReleaseOutcome): { status: string; last_error: string | null; onlyIfBusy: boolean } | null {
  // A previous status that was itself busy was read while an earlier job was still finishing; never put that back.
  const prev = lock.previous && lock.previous.status && !isBusy(lock.previous.status) ? lock.previous : null;
  const back = prev ? { status: prev.status as string, last_error: prev.last_error } : null;
  switch (outcome.kind) {
    case "none":
      return null;
    case "cancelled":
      return back ? { ...back, onlyIfBusy: false } : { status: "failed", last_error: "The job was cancelled.", onlyIfBusy: true };
    case "abandoned":
      return { status: "failed", last_error: outcome.error, onlyIfBusy: false };
    case "failed":
      return { status: "failed", last_error: outcome.error, onlyIfBusy: true };
    case "succeeded":
    case "orphaned":
      return back ? { ...back, onlyIfBusy: true } : { status: "failed", last_error: "Its job ended without recording how.", onlyIfBusy: true };
  }
}

/**
 * Puts the target into the state the outcome calls for, then deletes this very
 * lock (by its own id, so a newer lock on the same key is never touched). The
 * target is written while the lock still stands, so no new job can have started
 * on it. Returns false when the lock was already gone.
 */
export async function releaseLock(lock: LockRecord, outcome: ReleaseOutcome): Promise<boolean> {
  await connectDb();
  if (!(await Lock.exists({ _id: lock._id }))) return false;
  const after = targetAfter(lock, outcome);
  if (after) {
    const filter = { _id: lock.target_id, ...(after.onlyIfBusy ? { status: { $in: [...BUSY_STATUSES] } } : {}) };
    const update = { $set: { status: after.status, last_error: after.last_error, updatedAt: new Date() } };
    // Through the collection's own model when there is one, so its schema's hooks see the write (listings remember pages until a write moves the serving stamp).
    const model = Object.values(mongoose.models).find((m) => m.collection.collectionName === lock.target_collection);
    if (model) await model.updateOne(filter, update);
    else await mongoose.connection.collection(lock.target_collection).updateOne(filter, update);
  }
  await Lock.deleteOne({ _id: lock._id });
  log.debug({ key: lock.key, owner: lock.owner, outcome: outcome.kind }, "lock released");
  return true;
}

/** Releases every lock an owner holds (a job's own target and any it locked later). */
export async function releaseLocksOf(owner: string, outcome: ReleaseOutcome): Promise<number> {
  await connectDb();
  const locks = await Lock.find({ owner }).lean<LockRecord[]>();
  let released = 0;
  for (const lock of locks) if (await releaseLock(lock, outcome)) released += 1;
  return released;
}

/**
 * Releases locks whose job has finished (a worker died between finishing and
 * releasing) or never existed (a requester died between locking and recording
 * the job, or an edit's process died), after JOB_STALE_MS.
 */
export async function sweepLocks(): Promise<number> {
  await connectDb();
  const locks = await Lock.find({}).lean<LockRecord[]>();
  if (locks.length === 0) return 0;
  const owners = [...new Set(locks.map((l) => l.owner))].filter((o) => mongoose.isValidObjectId(o));
  const jobs = await Job.find({ _id: { $in: owners } }, { status: 1, error: 1 }).lean();
  const byId = new Map(jobs.map((j) => [String(j._id), j]));
  const cutoff = Date.now() - config().jobStaleMs;
  let released = 0;
  for (const lock of locks) {
    const job = byId.get(lock.owner);
    let outcome: ReleaseOutcome;
    if (job) {
      if (!isFinishedJob(job.status)) continue;
      outcome =
        job.status === "cancelled" ? { kind: "cancelled" } : job.status === "failed" ? { kind: "failed", error: job.error ?? "The job failed." } : { kind: "succeeded" };
    } else {
      if (new Date(lock.taken_at).getTime() >= cutoff) continue;
      outcome = { kind: "orphaned" };
    }
    if (await releaseLock(lock, outcome)) released += 1;
  }
  if (released > 0) log.warn({ released }, "released locks left by finished or vanished jobs");
  return released;
}

/**
 * Runs a short change (an edit, a delete) while holding the target's lock, so it
 * cannot interleave with a job on the same target; ConflictError when a job holds it.
 */
export async function withTargetLock<T>(collection: TargetModel, targetId: mongoose.Types.ObjectId, busyMessage: string, fn: () => Promise<T>): Promise<T> {
  let lock: LockRecord;
  try {
    lock = await lockTarget(collection, targetId, String(new mongoose.Types.ObjectId()));
  } catch (err) {
    if (err instanceof LockHeldError) throw new ConflictError(busyMessage);
    throw err;
  }
  try {
    return await fn();
  } finally {
    await releaseLock(lock, { kind: "none" });
  }
}
