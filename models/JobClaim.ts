import { Schema, type Model, type Types } from "mongoose";
import { defineModel } from "./common";

export const CLAIM_ACTIONS = ["run", "requeue", "cancel", "done"] as const;
export type ClaimAction = (typeof CLAIM_ACTIONS)[number];

export interface JobClaimFields {
  /** "run:<job>:<attempt>", "requeue:<job>:<attempt>", "cancel:<job>" or "done:<job>". */
  _id: string;
  job_id: Types.ObjectId;
  action: ClaimAction;
  attempt: number | null;
  /** Who inserted it: "<hostname>:<pid>" of a worker, or "api" for a request. */
  by: string;
  at: Date;
  /** For "done": the outcome the winner is writing, so a crash between the claim and the write can be completed. */
  outcome: { status: string; error: string | null; message: string } | null;
}

/**
 * One document per decision about a job. The key is the _id, so exactly one
 * insert of a given decision succeeds on any MongoDB-compatible server (FerretDB
 * applies filtered updates non-atomically; inserts under a unique key hold).
 * Claims are never updated, only inserted, and removed with their pruned job.
 */
const jobClaimSchema = new Schema<JobClaimFields>(
  {
    _id: { type: String, required: true },
    job_id: { type: Schema.Types.ObjectId, required: true },
    action: { type: String, enum: CLAIM_ACTIONS, required: true },
    attempt: { type: Number, default: null },
    by: { type: String, required: true },
    at: { type: Date, default: () => new Date() },
    outcome: { type: Schema.Types.Mixed, default: null },
  },
  { collection: "job_claims", versionKey: false },
);

jobClaimSchema.index({ job_id: 1 });

export const JobClaim: Model<JobClaimFields> = defineModel<JobClaimFields>("JobClaim", jobClaimSchema);
