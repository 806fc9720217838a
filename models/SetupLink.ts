import { Schema, type InferSchemaType, type Model } from "mongoose";
import { defineModel } from "./common";

/**
 * The one-time link that lets the first person create the admin account. Only
 * the link token's SHA-256 is stored. Using the link inserts a claim under a
 * unique index (`_id` = the hash): of any number of concurrent uses, exactly one
 * inserts it, so the link works once.
 */
const setupLinkSchema = new Schema(
  {
    _id: { type: String },
    token_hash: { type: String, required: true },
    kind: { type: String, enum: ["link", "claim"], required: true },
    created_at: { type: Date, default: () => new Date() },
  },
  { collection: "auth_setup" },
);

export type SetupLinkFields = InferSchemaType<typeof setupLinkSchema>;

export const SetupLink: Model<SetupLinkFields> = defineModel<SetupLinkFields>("SetupLink", setupLinkSchema);
