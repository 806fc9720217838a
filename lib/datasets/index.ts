import { connectDb } from "@/lib/db";
import { Dataset } from "@/models/Dataset";
import { toInfo, type DatasetInfo } from "./store";

/**
 * CSV datasets under DATA_DIR: uploads (streamed, parsed off the event loop,
 * recorded with their facts), reads for training, and the facts configs are
 * checked against.
 */
export { resolveDatasetPath } from "./files";
export { datasetFacts, readDataset, readDatasetTable, readDatasetText, type DatasetFacts } from "./read";
export { removeDataset } from "./remove";
export { sweepDatasetLeftovers } from "./sweep";
export { DatasetName, PENDING_UPLOAD_GRACE_MS, saveDataset, saveDatasetUpload, type DatasetInfo, type DatasetUpload } from "./store";

/** Finished datasets, newest first; facts stay in the database (they can be large). */
export async function listDatasets(): Promise<DatasetInfo[]> {
  await connectDb();
  const recs = await Dataset.find({ state: { $ne: "pending" } }, { facts: 0, refusal: 0 }).sort({ createdAt: -1 }).lean();
  return recs.map(toInfo);
}
