import { Schema, type InferSchemaType, type Model } from "mongoose";
import { watchServingWrites } from "./ServingStamp";
import { defineModel } from "./common";
import { runSchema } from "./EnsembleRun";
import { TARGET_STATUSES } from "./statuses";

const manifestEntrySchema = new Schema(
  {
    model_id: { type: Schema.Types.ObjectId, required: true },
    run_id: { type: String, required: true },
    checksums: { model: String, scaler: String, features: String },
  },
  { _id: false },
);

/**
 * A stacking ensemble over saved base models. Its own artifacts are the fitted
 * meta-model and a manifest of the base models' run_ids and checksums; a base
 * model retrained since then makes the ensemble stale.
 */
const ensembleSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, minlength: 1, maxlength: 100 },
    base_model_ids: {
      type: [{ type: Schema.Types.ObjectId, ref: "ModelConfig" }],
      required: true,
      validate: [
        { validator: (v: unknown[]) => v.length >= 2, message: "an ensemble needs two or more base models" },
        { validator: (v: unknown[]) => new Set(v.map(String)).size === v.length, message: "base models must not repeat" },
      ],
    },
    // Any registered algorithm; checked against the registry by lib/ensemble (this layer cannot see it).
    meta_model_type: { type: String, default: "logistic_regression" },
    meta_training_csv: { type: String, required: true, trim: true },
    target: { type: String, required: true, trim: true },
    seed: { type: Number, default: 42, min: 0, max: 2 ** 31 - 1 },

    run_id: { type: String, default: null },
    meta_model_artifact_path: { type: String, default: null },
    manifest_artifact_path: { type: String, default: null },
    artifacts_saved_at: { type: Date, default: null },
    checksums: { meta_model: { type: String, default: null }, manifest: { type: String, default: null } },
    manifest: { type: [manifestEntrySchema], default: [] },

    /**
     * Set before any base model's current version moves (retrain, promote), cleared
     * only by a build that finds its base versions current: serving reads this one
     * field instead of every base model on each request.
     */
    stale: { type: Boolean, default: false },
    status: { type: String, enum: TARGET_STATUSES, default: "untrained" },
    last_error: { type: String, default: null },
    /** How many runs were ever recorded: the next run's index (its document in the ensemble's runs collection is named by it). */
    run_count: { type: Number, default: 0 },
    /**
     * Whether the runs are in the ensemble's own collection (models/EnsembleRun.ts); absent on an ensemble the
     * previous version kept in the shared ensemble_runs, until its next build moves them.
     */
    own_runs_collection: { type: Boolean, default: true },
    /** The newest run, as listings show it (the history is in the ensemble's runs collection). */
    last_run: { type: runSchema, default: null },
    /**
     * Run history as versions before ensemble_runs kept it, inside this
     * document (which the embedded database decodes and rewrites whole on every
     * read and write of it). Read as the oldest part of the history until the
     * ensemble's next build moves it into the ensemble's runs collection.
     */
    runs: { type: [runSchema], default: undefined },
  },
  { collection: "ensembles", timestamps: true, minimize: false },
);

ensembleSchema.index({ name: 1 }, { unique: true });
// Which ensembles stack a model: its page, and the refusal to delete it.
ensembleSchema.index({ base_model_ids: 1 });

watchServingWrites(ensembleSchema);

export type EnsembleFields = InferSchemaType<typeof ensembleSchema>;

export const Ensemble: Model<EnsembleFields> = defineModel<EnsembleFields>("Ensemble", ensembleSchema);
