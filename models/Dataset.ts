import { Schema, type InferSchemaType, type Model } from "mongoose";
import { defineModel } from "./common";
import { DATASETS_STAMP_ID, watchWrites } from "./ServingStamp";

export const DATASET_STATES = ["pending", "ready"] as const;

const cellExampleSchema = new Schema({ line: { type: Number, required: true }, text: { type: String, required: true } }, { _id: false });

/** One column as lib/ml's facts describe it (checked there with a schema of its own when read back). */
const columnFactsSchema = new Schema(
  {
    name: { type: String, required: true },
    numeric: { type: Boolean, required: true },
    binary: { type: Boolean, required: true },
    both_classes: { type: Boolean, required: true },
    invalid: { type: Number, required: true, min: 0 },
    invalid_examples: { type: [cellExampleSchema], default: [] },
    zeros: { type: Number, required: true, min: 0 },
    ones: { type: Number, required: true, min: 0 },
    other: { type: Number, required: true, min: 0 },
    other_examples: { type: [cellExampleSchema], default: [] },
  },
  { _id: false },
);

const factsSchema = new Schema(
  { version: { type: Number, required: true }, rows: { type: Number, required: true, min: 0 }, columns: { type: [columnFactsSchema], default: [] } },
  { _id: false },
);

/** Why a dataset stored before facts were recorded cannot be used, found when they were first computed. */
const refusalSchema = new Schema({ message: { type: String, required: true }, fields: { type: Schema.Types.Mixed, default: {} } }, { _id: false });

/**
 * An uploaded CSV. `path` is its name (what model configs reference); `file` is
 * the name its bytes are stored under (each upload writes a file of its own, so
 * no upload ever replaces another's) and `store` where: absent for DATA_DIR, or
 * `gridfs://<bucket>` in the database, which every node can read. Documents
 * from before `file` existed keep their bytes at `path` in DATA_DIR.
 *
 * An upload inserts its document as `pending` (the unique index on `path`
 * decides which of several concurrent uploads gets the name), then moves its
 * file into place and marks the document `ready`. Only ready documents, and
 * older ones without a state, are datasets.
 */
const datasetSchema = new Schema(
  {
    path: { type: String, required: true, trim: true },
    file: { type: String, default: undefined },
    store: { type: String, default: undefined },
    state: { type: String, enum: DATASET_STATES, default: undefined },
    columns: { type: [String], required: true },
    rows: { type: Number, required: true, min: 0 },
    bytes: { type: Number, required: true, min: 0 },
    sha256: { type: String, required: true },
    facts: { type: factsSchema, default: undefined },
    refusal: { type: refusalSchema, default: undefined },
    /** What the data is, decided at upload by whoever stored it ("games"); absent means a plain table. */
    kind: { type: String, trim: true, maxlength: 40, default: undefined },
    /** What that kind's inspector recorded about the file (a games dataset's teams and dates), read back through its own schema. */
    kind_facts: { type: Schema.Types.Mixed, default: undefined },
  },
  { collection: "datasets", timestamps: true },
);

datasetSchema.index({ path: 1 }, { unique: true });

export type DatasetFields = InferSchemaType<typeof datasetSchema>;

/** The filter for finished datasets: ready ones, and older documents without a state (a pending upload is not a dataset yet). */
export const FINISHED_DATASETS = { state: { $ne: "pending" } } as const;

// Builds remember a dataset's document under the datasets' stamp (lib/datasets/read.ts): every write must move it.
watchWrites(datasetSchema, DATASETS_STAMP_ID);

export const Dataset: Model<DatasetFields> = defineModel<DatasetFields>("Dataset", datasetSchema);
