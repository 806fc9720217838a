import os from "node:os";
import mongoose from "mongoose";
import { config } from "@/lib/config";
import { connectDb } from "@/lib/db";
import { childLogger } from "@/lib/log";
import { Job, type JobKind } from "@/models/Job";
import { dispatch } from "./queue";

const log = childLogger("jobs");

export interface JobContext {
  jobId: string;
  /** Records progress (0..1) and a short stage message; also the job's heartbeat. */
  progress(fraction: number, message?: string): Promise<void>;
}

export type JobHandler = (targetId: string, ctx: JobContext) => Promise<unknown>;
export type JobHandlers = Record<JobKind, JobHandler>;

export const MAX_ATTEMPTS = 3;

/** This process as a worker: "<hostname>:<pid>". */
export function workerId(): string {
  return `${os.hostname()}:${process.pid}`;
}

/** True when `id` names a process on this host that no longer exists. */
function isDeadLocalWorker(id: string | null | undefined): boolean {
  if (!id) return false;
  const sep = id.lastIndexOf(":");
  if (id.slice(0, sep) !== os.hostname()) return false;
  const pid = Number(id.slice(sep + 1));
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Claims a queued job (atomically, so a second dispatch of the same job does
 * nothing), runs its handler and records the outcome.
 */
export async function runJob(jobId: string, handlers: JobHandlers): Promise<"ran" | "skipped"> {
  await connectDb();
  const now = new Date();
  const job = await Job.findOneAndUpdate(
    { _id: new mongoose.Types.ObjectId(jobId), status: "queued" },
    { $set: { status: "running", started_at: now, heartbeat_at: now, message: "starting", worker: workerId() }, $inc: { attempts: 1 } },
    { returnDocument: "after" },
  ).lean();
  if (!job) return "skipped";

  let lastWrite = 0;
  const ctx: JobContext = {
    jobId,
    async progress(fraction, message) {
      const t = Date.now();
      if (t - lastWrite < 200 && fraction < 1) return;
      lastWrite = t;
      const set: Record<string, unknown> = { progress: Math.max(0, Math.min(1, fraction)), heartbeat_at: new Date() };
      if (message) set.message = message;
      await Job.updateOne({ _id: job._id, status: "running" }, { $set: set });
    },
  };

  const started = Date.now();
  log.info({ job_id: jobId, kind: job.kind, target_id: String(job.target_id) }, "job started");
  try {
    const result = await handlers[job.kind](String(job.target_id), ctx);
    await Job.updateOne(
      { _id: job._id },
      { $set: { status: "succeeded", progress: 1, message: "done", result: result ?? null, finished_at: new Date(), heartbeat_at: new Date() } },
    );
    log.info({ job_id: jobId, kind: job.kind, ms: Date.now() - started }, "job succeeded");
  } catch (err) {
    await Job.updateOne(
      { _id: job._id },
      { $set: { status: "failed", message: "failed", error: errorMessage(err), finished_at: new Date(), heartbeat_at: new Date() } },
    );
    log.warn({ job_id: jobId, kind: job.kind, ms: Date.now() - started, err: errorMessage(err) }, "job failed");
  }
  return "ran";
}

/**
 * Puts jobs whose worker died back in the queue (or fails them after
 * MAX_ATTEMPTS), and re-dispatches queued jobs that no worker took, so a
 * restart loses no job and leaves none `running` forever.
 */
export async function recoverStaleJobs(
  onAbandon: (kind: JobKind, targetId: string, reason: string) => Promise<void>,
  staleMs = config().jobStaleMs,
): Promise<{ requeued: string[]; failed: string[]; redispatched: string[] }> {
  await connectDb();
  const cutoff = new Date(Date.now() - staleMs);
  const out = { requeued: [] as string[], failed: [] as string[], redispatched: [] as string[] };

  // Silent for too long, or run by a worker process on this host that has exited
  // (a restart finds its predecessor's jobs at once instead of waiting out the heartbeat).
  const running = await Job.find({ status: "running" }).lean();
  const stale = running.filter((j) => (j.heartbeat_at ?? new Date(0)) < cutoff || isDeadLocalWorker(j.worker));
  for (const job of stale) {
    const id = String(job._id);
    if (job.attempts >= MAX_ATTEMPTS) {
      const reason = `The job was interrupted ${job.attempts} times (the worker stopped while running it); start it again.`;
      const res = await Job.updateOne(
        { _id: job._id, status: "running" },
        { $set: { status: "failed", error: reason, message: "failed", finished_at: new Date() } },
      );
      if (res.modifiedCount === 1) {
        out.failed.push(id);
        await onAbandon(job.kind, String(job.target_id), reason);
      }
      continue;
    }
    const res = await Job.updateOne(
      { _id: job._id, status: "running", heartbeat_at: job.heartbeat_at },
      { $set: { status: "queued", message: "requeued after the worker stopped", progress: 0 } },
    );
    if (res.modifiedCount === 1) {
      out.requeued.push(id);
      await dispatch(id);
    }
  }

  const waiting = await Job.find({ status: "queued", updatedAt: { $lt: cutoff } }).lean();
  for (const job of waiting) {
    await Job.updateOne({ _id: job._id, status: "queued" }, { $set: { message: "waiting for a worker" } });
    await dispatch(String(job._id));
    out.redispatched.push(String(job._id));
  }
  if (out.requeued.length + out.failed.length + out.redispatched.length > 0) log.warn(out, "recovered stale jobs");
  return out;
}
