import { Schema, type InferSchemaType, type Model, type Types } from "mongoose";
import { watchServingWrites } from "./ServingStamp";
import { defineModel, metricsSchema } from "./common";
import { TARGET_STATUSES } from "./statuses";

const artifactTripleSchema = new Schema(
  { model: { type: String, default: null }, scaler: { type: String, default: null }, features: { type: String, default: null } },
  { _id: false },
);

const artifactBytesSchema = new Schema(
  { model: { type: Number, default: null }, scaler: { type: Number, default: null }, features: { type: Number, default: null } },
  { _id: false },
);

/**
 * A model config: what to train (algorithm, hyperparameters, features, target,
 * dataset) and, once trained, where its current version's artifacts are (its
 * runs are in model_versions). The artifact field names
 * (model_artifact_path, scaler_artifact_path, features_path, run_id,
 * artifacts_saved_at) are a contract that external scripts read.
 */
const modelConfigSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, minlength: 1, maxlength: 100 },
    // Checked against the algorithm registry by lib/training (this layer cannot see it).
    algorithm: { type: String, required: true },
    hyperparameters: { type: Schema.Types.Mixed, default: () => ({}) },
    features: {
      type: [String],
      required: true,
      validate: [
        { validator: (v: string[]) => v.length > 0, message: "choose at least one feature" },
        { validator: (v: string[]) => new Set(v).size === v.length, message: "features must not repeat" },
      ],
    },
    target: { type: String, required: true, trim: true },
    training_csv: { type: String, required: true, trim: true },
    // One of lib/ml/pipeline.ts's CALIBRATIONS, checked by lib/training.
    calibration: { type: String, default: "none" },
    seed: { type: Number, default: 42, min: 0, max: 2 ** 31 - 1 },

    model_artifact_path: { type: String, default: null },
    scaler_artifact_path: { type: String, default: null },
    features_path: { type: String, default: null },
    run_id: { type: String, default: null },
    artifacts_saved_at: { type: Date, default: null },
    checksums: { type: artifactTripleSchema, default: () => ({}) },
    artifact_bytes: { type: artifactBytesSchema, default: () => ({}) },

    metrics: { type: metricsSchema, default: null },
    training_ms: { type: Number, default: null },
    status: { type: String, enum: TARGET_STATUSES, default: "untrained" },
    last_error: { type: String, default: null },
    /** False once its dataset was deleted on purpose: its current artifacts are all there is. */
    retrainable: { type: Boolean, default: true },
    /** The audit trail of pointer moves: who moved the current version, when, from which run to which. */
    promotions: {
      type: [new Schema({ at: Date, by: new Schema({ id: String, name: String }, { _id: false }), from: String, to: String }, { _id: false })],
      default: [],
    },
  },
  { collection: "model_config_nba", timestamps: true, minimize: false },
);

modelConfigSchema.index({ name: 1 }, { unique: true });
// Counting trained models on the overview.
modelConfigSchema.index({ run_id: 1 });

watchServingWrites(modelConfigSchema);

export type ModelConfigFields = InferSchemaType<typeof modelConfigSchema>;
/** A model config as a lean read returns it. */
export type ModelConfigLean = ModelConfigFields & { _id: Types.ObjectId };

export const ModelConfig: Model<ModelConfigFields> = defineModel<ModelConfigFields>("ModelConfig", modelConfigSchema);
