import { connectDb } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { Dataset, FINISHED_DATASETS } from "@/models/Dataset";
import { datasetBytesAt } from "./bytes";
import { resolveDatasetPath } from "./files";

const log = childLogger("datasets");

/**
 * Deletes a dataset: its record first (from then on nothing can read it), then
 * its bytes (in DATA_DIR or GridFS). A crash in between leaves a file no record
 * points at, which the hourly sweep removes. Whether anything still needs the dataset is the
 * caller's question (lib/training/datasets.ts).
 */
export async function removeDataset(datasetPath: string): Promise<void> {
  resolveDatasetPath(datasetPath, "name");
  await connectDb();
  const doc = await Dataset.findOne({ path: datasetPath, ...FINISHED_DATASETS }, { file: 1, store: 1 }).lean();
  if (!doc) throw new NotFoundError("dataset", datasetPath);
  await Dataset.deleteOne({ _id: doc._id });
  await datasetBytesAt(doc.store).remove(doc.file ?? datasetPath);
  log.info({ path: datasetPath }, "dataset deleted");
}
