import { Schema, type InferSchemaType, type Model, type Types } from "mongoose";
import type { Collection } from "mongodb";
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
 * One run of an ensemble's build history: its run index (from 0) and the run.
 * Each ensemble's runs have a collection of their own, `ensemble_runs.<ensemble
 * id>` (runsCollectionOf), named by the index as a string. Why: the embedded
 * FerretDB reads a whole collection for every lookup, even by `_id` (it
 * compares each document's `_id` in SQLite without using the `_id` index) and
 * for every delete, and decodes every document for any other filter (about
 * 1.5 ms per run here). With all ensembles' runs in one collection, each
 * lookup cost grew with every ensemble's history (measured: a run found by
 * `_id` in 120-170 ms among 1,000 runs, a delete 280 ms); in its own collection
 * an ensemble's history is one read of at most a hundred or so documents,
 * whatever the others hold. Not inside the ensemble's own document: FerretDB
 * decodes and rewrites a document whole, so 100 runs there (about 350 KB) made
 * every build, every read of the ensemble and every listing pay for all of it.
 * One document per run, not pages of several: appending is an insert (2 ms
 * here), where pushing onto a page of 9 runs took 26 ms.
 */
const ensembleRunSchema = new Schema(
  {
    _id: { type: String, required: true },
    ensemble_id: { type: Schema.Types.ObjectId, required: true },
    index: { type: Number, required: true, min: 0 },
    run: { type: runSchema, required: true },
  },
  // The collection the previous version kept every ensemble's runs in ("<ensemble id>:<index>"), read only to move
  // them out (lib/ensemble/runs.ts); this schema also checks the documents written to each ensemble's own collection.
  { collection: "ensemble_runs", versionKey: false },
);

// Finding an ensemble's runs in the previous version's collection, to move them.
ensembleRunSchema.index({ ensemble_id: 1 });

export type EnsembleRunFields = InferSchemaType<typeof runSchema>;
type EnsembleRunDocFields = InferSchemaType<typeof ensembleRunSchema>;

export const EnsembleRun: Model<EnsembleRunDocFields> = defineModel<EnsembleRunDocFields>("EnsembleRun", ensembleRunSchema);

/** A run as stored in its ensemble's own collection. */
export interface StoredRun {
  _id: string;
  index: number;
  run: EnsembleRunFields;
}

/** The collection holding one ensemble's runs (see above). */
export function runsCollectionOf(ensembleId: Types.ObjectId | string): Collection<StoredRun> {
  return EnsembleRun.db.collection(`ensemble_runs.${String(ensembleId)}`) as unknown as Collection<StoredRun>;
}

/** Run `index` of an ensemble as its collection stores it, cast and checked by the run schema (a bad run throws). */
export async function storedRun(ensembleId: Types.ObjectId, index: number, run: unknown): Promise<StoredRun> {
  const doc = new EnsembleRun({ _id: String(index), ensemble_id: ensembleId, index, run });
  await doc.validate();
  const { _id, index: i, run: cast } = doc.toObject() as { _id: string; index: number; run: EnsembleRunFields };
  return { _id, index: i, run: cast };
}
