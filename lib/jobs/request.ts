import mongoose from "mongoose";
import { ConflictError } from "@/lib/errors";
import { Job, type JobKind } from "@/models/Job";
import { LockHeldError } from "./errors";
import { lockTarget, releaseLock } from "./locks";
import { createJob, type JobView } from "./queue";

/**
 * Queues a job for a target (a model config, an ensemble). The target's lock is
 * taken first, by an insert under a unique key that exactly one concurrent
 * request wins; the others get a ConflictError (409). Then the target shows
 * "queued" and the job is recorded. If either fails, the target gets its previous
 * status back and the lock is released.
 */
export async function requestJob(
  kind: JobKind,
  // Any collection whose documents carry `status` and `last_error`.
  collection: mongoose.Model<any>,
  targetId: mongoose.Types.ObjectId,
  busyMessage: string,
  requestedBy: { id: string; name: string } | null = null,
): Promise<JobView> {
  const jobId = new mongoose.Types.ObjectId();
  let lock;
  try {
    lock = await lockTarget(collection, targetId, String(jobId));
  } catch (err) {
    if (err instanceof LockHeldError) throw new ConflictError(busyMessage);
    throw err;
  }
  try {
    // Before the job exists: once it does, a worker may already be writing "training".
    await collection.updateOne({ _id: targetId }, { $set: { status: "queued", last_error: null } });
    return await createJob(jobId, kind, targetId, requestedBy);
  } catch (err) {
    await Job.deleteOne({ _id: jobId, status: "queued" }).catch(() => undefined);
    await collection
      .updateOne({ _id: targetId }, { $set: { status: lock.previous?.status ?? "failed", last_error: (err as Error).message } })
      .catch(() => undefined);
    await releaseLock(lock, { kind: "none" }).catch(() => undefined);
    throw err;
  }
}
