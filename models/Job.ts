import { Schema, type InferSchemaType, type Model } from "mongoose";
import { defineModel } from "./common";

export const JOB_KINDS = ["train_model", "train_ensemble"] as const;
export const JOB_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A job in one of these states will never run again. */
export const FINISHED_JOB_STATUSES = ["succeeded", "failed", "cancelled"] as const satisfies readonly JobStatus[];

export function isFinishedJob(status: string | null | undefined): boolean {
  return (FINISHED_JOB_STATUSES as readonly string[]).includes(status ?? "");
}

/**
 * Background work and what the API reports about it. Workers poll this
 * collection for queued jobs; who may write a job at each step is decided by
 * inserts into job_claims (see lib/jobs/runner.ts), never by a filtered update.
 */
const jobSchema = new Schema(
  {
    kind: { type: String, enum: JOB_KINDS, required: true },
    target_id: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, enum: JOB_STATUSES, default: "queued" },
    progress: { type: Number, default: 0, min: 0, max: 1 },
    message: { type: String, default: "waiting for a worker" },
    error: { type: String, default: null },
    result: { type: Schema.Types.Mixed, default: null },
    /** Runs started so far; the next claim is for attempt attempts + 1. */
    attempts: { type: Number, default: 0 },
    started_at: { type: Date, default: null },
    finished_at: { type: Date, default: null },
    heartbeat_at: { type: Date, default: null },
    /** Who asked for it (recorded on the versions it produces); null for the system. */
    requested_by: { type: new Schema({ id: String, name: String }, { _id: false }), default: null },
    /** "<hostname>:<pid>" of the worker running it, so a worker on the same host can tell a dead one's jobs at once. */
    worker: { type: String, default: null },
  },
  { collection: "jobs", timestamps: true, minimize: false },
);

// Workers take the oldest queued job first.
jobSchema.index({ status: 1, createdAt: 1 });
// Pruning keeps the newest finished jobs.
jobSchema.index({ status: 1, finished_at: -1 });
jobSchema.index({ target_id: 1, createdAt: -1 });

export type JobFields = InferSchemaType<typeof jobSchema>;

export const Job: Model<JobFields> = defineModel<JobFields>("Job", jobSchema);
