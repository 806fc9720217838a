import { Schema, type InferSchemaType, type Model } from "mongoose";
import { defineModel } from "./common";

export const TOKEN_SCOPES = ["read", "write"] as const;

/**
 * A bearer token for scripts. Only the SHA-256 of the token is stored (tokens
 * are 256 random bits, so a fast hash is enough); the token itself is shown
 * once, when it is created.
 */
const apiTokenSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, minlength: 1, maxlength: 100 },
    token_hash: { type: String, required: true },
    /** The first characters of the token, so a person can tell tokens apart. */
    prefix: { type: String, required: true },
    scope: { type: String, enum: TOKEN_SCOPES, required: true },
    user_id: { type: String, required: true },
    created_at: { type: Date, default: () => new Date() },
    last_used_at: { type: Date, default: null },
    revoked_at: { type: Date, default: null },
  },
  { collection: "api_tokens" },
);

apiTokenSchema.index({ token_hash: 1 }, { unique: true });
apiTokenSchema.index({ user_id: 1, created_at: -1 });

export type ApiTokenFields = InferSchemaType<typeof apiTokenSchema>;

export const ApiToken: Model<ApiTokenFields> = defineModel<ApiTokenFields>("ApiToken", apiTokenSchema);
