import { connectDb } from "@/lib/db";
import { Dataset, FINISHED_DATASETS } from "@/models/Dataset";
import { resolveDatasetPath } from "./files";
import { toInfo, type DatasetInfo } from "./store";

/**
 * CSV datasets: uploads (streamed, parsed off the event loop, recorded with
 * their facts), reads for training, and the facts configs are checked against.
 * The bytes live in DATA_DIR, or in GridFS when the artifacts are there
 * (bytes.ts), so nodes that share no disk share the datasets.
 */
export { resolveDatasetPath } from "./files";
export { datasetFacts, datasetSource, readDataset, readDatasetContent, readDatasetTable, readDatasetText, readVerifiedDataset, type DatasetFacts, type DatasetSource, type VerifiedDataset } from "./read";
export { moveFolderDatasetsToGridFs, type MoveReport } from "./move";
export { removeDataset } from "./remove";
export { sweepDatasetLeftovers } from "./sweep";
export {
  DatasetName,
  PENDING_UPLOAD_GRACE_MS,
  TABLE_KIND,
  saveDataset,
  saveDatasetUpload,
  type DatasetInfo,
  type DatasetInspector,
  type DatasetKind,
  type DatasetUpload,
} from "./store";

/** Whether a finished dataset is stored under this path. */
export async function hasDataset(datasetPath: string): Promise<boolean> {
  resolveDatasetPath(datasetPath, "name");
  await connectDb();
  return (await Dataset.exists({ path: datasetPath, ...FINISHED_DATASETS })) !== null;
}

/** Finished datasets, newest first; facts stay in the database (they can be large). */
export async function listDatasets(): Promise<DatasetInfo[]> {
  await connectDb();
  const recs = await Dataset.find(FINISHED_DATASETS, { facts: 0, refusal: 0, kind_facts: 0 }).sort({ createdAt: -1 }).lean();
  return recs.map(toInfo);
}

/** Finished datasets of one kind, newest first, each with what its inspector recorded (unchecked: the kind's owner reads it). */
export async function listDatasetsOfKind(kind: string): Promise<Array<DatasetInfo & { kindFacts: unknown }>> {
  await connectDb();
  const recs = await Dataset.find({ ...FINISHED_DATASETS, kind }, { facts: 0, refusal: 0 }).sort({ createdAt: -1 }).lean();
  return recs.map((r) => ({ ...toInfo(r), kindFacts: r.kind_facts }));
}
