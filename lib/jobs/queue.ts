import mongoose from "mongoose";
import { connectDb, findByIdOrThrow } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { Job, type JobKind, type JobStatus } from "@/models/Job";
import { RUN_JOB, getAgenda, type RunJobData } from "./agenda";

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
  created_at: string | null;
  started_at: string | null;
  finished_at: string | null;
}

type JobLean = {
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
};

export function toJobView(j: JobLean): JobView {
  return {
    id: String(j._id),
    kind: j.kind,
    target_id: String(j.target_id),
    status: j.status,
    progress: j.progress,
    message: j.message,
    error: j.error ?? null,
    result: j.result ?? null,
    attempts: j.attempts,
    created_at: j.createdAt?.toISOString() ?? null,
    started_at: j.started_at?.toISOString() ?? null,
    finished_at: j.finished_at?.toISOString() ?? null,
  };
}

/** Hands the job to Agenda; the worker claims it from our jobs collection when it runs. */
export async function dispatch(jobId: string): Promise<void> {
  const agenda = getAgenda();
  await agenda.ready;
  await agenda.now<RunJobData>(RUN_JOB, { job_id: jobId });
}

/** Records a queued job and dispatches it. The caller has already taken the target's lock. */
export async function enqueueJob(kind: JobKind, targetId: string): Promise<JobView> {
  await connectDb();
  const job = await Job.create({ kind, target_id: new mongoose.Types.ObjectId(targetId) });
  const id = String(job._id);
  try {
    await dispatch(id);
  } catch (err) {
    await Job.updateOne(
      { _id: job._id },
      { $set: { status: "failed", error: `Could not queue the job: ${(err as Error).message}`, finished_at: new Date() } },
    );
    throw err;
  }
  log.info({ job_id: id, kind, target_id: targetId }, "job queued");
  return toJobView(job.toObject() as JobLean);
}

export async function getJob(id: string): Promise<JobView> {
  return toJobView(await findByIdOrThrow<JobLean>(Job, id, "job"));
}

export async function latestJobFor(targetId: string): Promise<JobView | null> {
  await connectDb();
  const job = await Job.findOne({ target_id: new mongoose.Types.ObjectId(targetId) }).sort({ createdAt: -1 }).lean<JobLean>();
  return job ? toJobView(job) : null;
}
