import { Schema, type InferSchemaType, type Model } from "mongoose";
import { defineModel } from "./common";

/**
 * A target (a model config, an ensemble) held by one owner, usually a job. The
 * unique key makes taking it a plain insert that exactly one caller wins. Each
 * lock has its own ObjectId, so releasing deletes exactly that lock and never a
 * newer one taken on the same key.
 */
const lockSchema = new Schema(
  {
    /** "target:<collection>:<id>". */
    key: { type: String, required: true },
    /** The job id that holds it (or a one-off id for a short edit). */
    owner: { type: String, required: true },
    target_collection: { type: String, required: true },
    target_id: { type: Schema.Types.ObjectId, required: true },
    /** The target's status and last_error when the lock was taken, to put back when its job is cancelled. */
    previous: {
      type: new Schema({ status: { type: String, default: null }, last_error: { type: String, default: null } }, { _id: false }),
      default: null,
    },
    taken_at: { type: Date, default: () => new Date() },
  },
  { collection: "locks", versionKey: false },
);

lockSchema.index({ key: 1 }, { unique: true });
lockSchema.index({ owner: 1 });

export type LockFields = InferSchemaType<typeof lockSchema>;

export const Lock: Model<LockFields> = defineModel<LockFields>("Lock", lockSchema);
