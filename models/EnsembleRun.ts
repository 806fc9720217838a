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
 * One run of an ensemble's build history, named "<ensemble id>:<index>" (run
 * index from 0, lib/ensemble/runs.ts). Not inside the ensemble's own document:
 * the embedded FerretDB decodes and rewrites a document whole, so a history of
 * 100 runs there (about 350 KB) made every build, every read of the ensemble and
 * every listing pay for all of it. One document per run, not pages of several:
 * appending is an insert (2 ms here), where pushing onto a page of 9 runs took
 * 26 ms. Runs are found by `_id`, the one lookup FerretDB answers without
 * reading the whole collection.
 */
const ensembleRunSchema = new Schema(
  {
    _id: { type: String, required: true },
    ensemble_id: { type: Schema.Types.ObjectId, required: true },
    index: { type: Number, required: true, min: 0 },
    run: { type: runSchema, required: true },
  },
  { collection: "ensemble_runs", versionKey: false },
);

// Removing an ensemble's runs (on delete) by ensemble.
ensembleRunSchema.index({ ensemble_id: 1 });

export type EnsembleRunFields = InferSchemaType<typeof runSchema>;
type EnsembleRunDocFields = InferSchemaType<typeof ensembleRunSchema>;

export const EnsembleRun: Model<EnsembleRunDocFields> = defineModel<EnsembleRunDocFields>("EnsembleRun", ensembleRunSchema);
