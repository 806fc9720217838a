import mongoose from "mongoose";
import { connectDb, findByIdOrThrow, findPage, type PageRequest } from "@/lib/db";
import { childLogger } from "@/lib/log";
import { Job, isFinishedJob, type JobKind, type JobStatus } from "@/models/Job";
import { JobClaim } from "@/models/JobClaim";
import { claimKey } from "./claims";
import { ensureJobIndexes } from "./indexes";

const log = childLogger("jobs");

export interface JobView {
  id: string;
  kind: JobKind;
  target_id: string;
  status: JobStatus;
  progress: number;
  message: string;
  error: string | null;
  result: unknown;
  attempts: number;
  /** Someone asked to cancel it; a running job stops at its next progress report. */
  cancel_requested: boolean;
  created_at: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export type JobLean = {
  _id: mongoose.Types.ObjectId;
  kind: JobKind;
  target_id: mongoose.Types.ObjectId;
  status: JobStatus;
  progress: number;
  message: string;
  error?: string | null;
  result?: unknown;
  attempts: number;
  createdAt?: Date;
  started_at?: Date | null;
  finished_at?: Date | null;
  heartbeat_at?: Date | null;
  worker?: string | null;
  requested_by?: { id: string; name: string } | null;
};

export function toJobView(j: JobLean, cancelRequested = false): JobView {
  return {
    id: String(j._id),
    kind: j.kind,
    target_id: String(j.target_id),
    status: j.status,
    progress: j.progress,
    message: cancelRequested && !isFinishedJob(j.status) ? "cancelling" : j.message,
    error: j.error ?? null,
    result: j.result ?? null,
    attempts: j.attempts,
    cancel_requested: cancelRequested,
    created_at: j.createdAt?.toISOString() ?? null,
    started_at: j.started_at?.toISOString() ?? null,
    finished_at: j.finished_at?.toISOString() ?? null,
  };
}

/** The view with the cancel request looked up: it is a claim, not a field, so it never races the worker's writes. */
async function viewOf(job: JobLean): Promise<JobView> {
  const cancelRequested = job.status === "cancelled" || (await JobClaim.exists({ _id: claimKey("cancel", String(job._id)) })) !== null;
  return toJobView(job, cancelRequested);
}

/** Records a queued job; workers find it by polling. The caller has already taken the target's lock under `jobId`. */
export async function createJob(
  jobId: mongoose.Types.ObjectId,
  kind: JobKind,
  targetId: mongoose.Types.ObjectId,
  requestedBy: { id: string; name: string } | null = null,
): Promise<JobView> {
  await connectDb();
  await ensureJobIndexes();
  const job = await Job.create({ _id: jobId, kind, target_id: targetId, requested_by: requestedBy });
  log.info({ job_id: String(jobId), kind, target_id: String(targetId) }, "job queued");
  return toJobView(job.toObject() as JobLean);
}

export async function getJob(id: string): Promise<JobView> {
  return viewOf(await findByIdOrThrow<JobLean>(Job, id, "job"));
}

export async function latestJobFor(targetId: string): Promise<JobView | null> {
  await connectDb();
  const job = await Job.findOne({ target_id: new mongoose.Types.ObjectId(targetId) }).sort({ createdAt: -1 }).lean<JobLean>();
  return job ? viewOf(job) : null;
}

/** One page of jobs, newest first (the claims collection says which of them someone asked to cancel). */
export async function listJobs(page: PageRequest): Promise<{ jobs: JobView[]; next_cursor: string | null }> {
  const { items, next_cursor } = await findPage<JobLean>(Job, {}, page, -1);
  const cancels = new Set(
    (await JobClaim.find({ _id: { $in: items.map((j) => claimKey("cancel", String(j._id))) } }, { _id: 1 }).lean()).map((c) => String(c._id)),
  );
  return { jobs: items.map((j) => toJobView(j, j.status === "cancelled" || cancels.has(claimKey("cancel", String(j._id))))), next_cursor };
}
