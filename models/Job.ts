import { Schema, type InferSchemaType, type Model } from "mongoose";
import { defineModel } from "./common";

export const JOB_KINDS = ["train_model", "train_ensemble"] as const;
export const JOB_STATUSES = ["queued", "running", "succeeded", "failed"] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * What the API reports about background work. Agenda dispatches the work; this
 * document is the record a person polls (status, progress, error, result).
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
    attempts: { type: Number, default: 0 },
    started_at: { type: Date, default: null },
    finished_at: { type: Date, default: null },
    heartbeat_at: { type: Date, default: null },
    /** "<hostname>:<pid>" of the worker running it, so a restarted worker can tell a dead one's jobs at once. */
    worker: { type: String, default: null },
  },
  { collection: "jobs", timestamps: true, minimize: false },
);

jobSchema.index({ status: 1, heartbeat_at: 1 });
jobSchema.index({ target_id: 1, createdAt: -1 });

export type JobFields = InferSchemaType<typeof jobSchema>;

export const Job: Model<JobFields> = defineModel<JobFields>("Job", jobSchema);
