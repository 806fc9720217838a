import type mongoose from "mongoose";
import { ConflictError } from "@/lib/errors";
import type { JobKind } from "@/models/Job";
import { BUSY_STATUSES } from "@/models/statuses";
import { enqueueJob, type JobView } from "./queue";

/**
 * Queues a job for a target (a model config, an ensemble) that carries a
 * status. The status is the lock: it moves to "queued" only if the target is
 * not busy already, so a second request gets a ConflictError (409); if queueing
 * then fails, the previous status comes back.
 */
export async function requestJob(
  kind: JobKind,
  // Any collection whose documents carry `status` and `last_error`.
  collection: mongoose.Model<any>,
  targetId: mongoose.Types.ObjectId,
  busyMessage: string,
): Promise<JobView> {
  const locked = await collection
    .findOneAndUpdate({ _id: targetId, status: { $nin: BUSY_STATUSES } }, { $set: { status: "queued", last_error: null } })
    .lean<{ status?: string }>();
  if (!locked) throw new ConflictError(busyMessage);
  try {
    return await enqueueJob(kind, String(targetId));
  } catch (err) {
    await collection.updateOne({ _id: targetId }, { $set: { status: locked.status, last_error: (err as Error).message } });
    throw err;
  }
}
