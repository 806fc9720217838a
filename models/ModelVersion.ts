import { Schema, type InferSchemaType, type Model } from "mongoose";
import { defineModel, metricsSchema } from "./common";
import { RUN_STATUSES } from "./statuses";

export const TRAINING_TRIGGERS = ["manual", "ensemble", "seed", "import"] as const;

const artifactSchema = new Schema({ path: { type: String, required: true }, sha256: { type: String, required: true }, bytes: { type: Number, required: true } }, { _id: false });

/**
 * One training run of a model config: every successful run is a version that
 * keeps its three artifacts (until the retention sweep retires it), with what
 * it was trained on and by whom; a failed run stays in the history without
 * artifacts. The config's seed fields point at the current version.
 */
const modelVersionSchema = new Schema(
  {
    model_id: { type: Schema.Types.ObjectId, required: true },
    run_id: { type: String, required: true },
    status: { type: String, enum: RUN_STATUSES, required: true },
    trigger: { type: String, enum: TRAINING_TRIGGERS, default: "manual" },
    /** Who started it: a user, an API token's owner, or null for the system (seed, ensemble slow path). */
    started_by: { type: new Schema({ id: String, name: String }, { _id: false }), default: null },
    started_at: { type: Date, required: true },
    finished_at: { type: Date, default: null },
    training_ms: { type: Number, default: null },
    error: { type: String, default: null },

    algorithm: { type: String, required: true },
    hyperparameters: { type: Schema.Types.Mixed, default: () => ({}) },
    features: { type: [String], default: [] },
    target: { type: String, required: true },
    calibration: { type: String, default: "none" },
    seed: { type: Number, default: 42 },
    metrics: { type: metricsSchema, default: null },

    /** Null for a failed run. */
    artifacts: {
      type: new Schema({ model: artifactSchema, scaler: artifactSchema, features: artifactSchema }, { _id: false }),
      default: null,
    },
    /** Lineage: the exact data it learned from. */
    dataset: { type: new Schema({ path: String, sha256: String, rows: Number }, { _id: false }), default: null },
    /** What produced it: numeric results can differ across Node releases, learner versions and artifact formats. */
    runtime: { type: new Schema({ node: String, app_version: String, learner: String, format_version: Number }, { _id: false }), default: null },
    /** Set when the retention sweep retires the version; its artifact files are then deleted. */
    retired_at: { type: Date, default: null },
  },
  { collection: "model_versions", minimize: false },
);

modelVersionSchema.index({ run_id: 1 }, { unique: true });
modelVersionSchema.index({ model_id: 1, started_at: -1 });

export type ModelVersionFields = InferSchemaType<typeof modelVersionSchema>;

export const ModelVersion: Model<ModelVersionFields> = defineModel<ModelVersionFields>("ModelVersion", modelVersionSchema);
