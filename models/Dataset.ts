import { Schema, type InferSchemaType, type Model } from "mongoose";
import { defineModel } from "./common";

/** A CSV stored under DATA_DIR; `path` is relative to it and is what model configs reference. */
const datasetSchema = new Schema(
  {
    path: { type: String, required: true, trim: true },
    columns: { type: [String], required: true },
    rows: { type: Number, required: true, min: 0 },
    bytes: { type: Number, required: true, min: 0 },
    sha256: { type: String, required: true },
  },
  { collection: "datasets", timestamps: true },
);

datasetSchema.index({ path: 1 }, { unique: true });

export type DatasetFields = InferSchemaType<typeof datasetSchema>;

export const Dataset: Model<DatasetFields> = defineModel<DatasetFields>("Dataset", datasetSchema);
