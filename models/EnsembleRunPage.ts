import { Schema, type InferSchemaType, type Model } from "mongoose";
import { defineModel, metricsSchema } from "./common";
import { RUN_STATUSES } from "./statuses";

export const BASE_SOURCES = ["artifact", "retrained"] as const;

const baseTimingSchema = new Schema(
  {
    model_id: { type: Schema.Types.ObjectId, required: true },
    model_name: { type: String, default: null },
    run_id: { type: String, default: null },
    source: { type: String, enum: BASE_SOURCES, required: true },
    ms: { type: Number, required: true },
    note: { type: String, default: null },
    metrics: { type: metricsSchema, default: null },
  },
  { _id: false },
);

export const runSchema = new Schema(
  {
    run_id: { type: String, default: null },
    started_at: { type: Date, required: true },
    total_ms: { type: Number, default: null },
    meta_ms: { type: Number, default: null },
    status: { type: String, enum: RUN_STATUSES, required: true },
    error: { type: String, default: null },
    metrics: { type: metricsSchema, default: null },
    base: { type: [baseTimingSchema], default: [] },
    /** Calibration and log loss by season on the held-out meta rows (lib/ensemble/holdout.ts reads it through its schema). */
    holdout: { type: Schema.Types.Mixed, default: null },
  },
  { _id: false },
);

/**
 * An ensemble's build history, RUNS_PER_PAGE runs per document, named
 * "<ensemble id>:<page>" (lib/ensemble/runs.ts). Not inside the ensemble's own
 * document: the embedded FerretDB decodes and rewrites a document whole, so a
 * history of 100 runs there (about 350 KB) made every build, every read of the
 * ensemble and every listing pay for all of it. Pages are found by `_id`, the
 * one lookup FerretDB answers without reading the whole collection.
 */
const ensembleRunPageSchema = new Schema(
  {
    _id: { type: String, required: true },
    ensemble_id: { type: Schema.Types.ObjectId, required: true },
    page: { type: Number, required: true, min: 0 },
    runs: { type: [runSchema], default: [] },
  },
  { collection: "ensemble_run_pages", versionKey: false },
);

// Removing an ensemble's pages (on delete) by ensemble.
ensembleRunPageSchema.index({ ensemble_id: 1 });

export type EnsembleRunPageFields = InferSchemaType<typeof ensembleRunPageSchema>;
export type EnsembleRunFields = InferSchemaType<typeof runSchema>;

export const EnsembleRunPage: Model<EnsembleRunPageFields> = defineModel<EnsembleRunPageFields>("EnsembleRunPage", ensembleRunPageSchema);
