import fs from "node:fs/promises";
import mongoose from "mongoose";
import { connectDb } from "@/lib/db";
import { ValidationError } from "@/lib/errors";
import { GridFsFileExistsError } from "@/lib/gridfs";
import { childLogger } from "@/lib/log";
import { Dataset, FINISHED_DATASETS } from "@/models/Dataset";
import { datasetBytesAt, uploadBytes } from "./bytes";
import { sha256Hex, storedFileName, temporaryFile } from "./files";

const log = childLogger("datasets");

export interface MoveReport {
  moved: string[];
  /** Not on this node's disk: another node holds them, or they are lost. */
  absent: string[];
  /** Bytes that no longer match what was uploaded: left where they are. */
  refused: Array<{ path: string; reason: string }>;
}

/**
 * Moves the datasets this node holds in its DATA_DIR into the GridFS bucket new
 * uploads go to, for a deployment switching to nodes without a shared disk.
 * Each is checked against the SHA-256 recorded at upload, written, read back
 * and checked again; only then does its document point at the copy (one
 * update, guarded on the document being unchanged). The folder's file stays
 * until the sweep finds no document pointing at it. Run it on every node that
 * received uploads.
 */
export async function moveFolderDatasetsToGridFs(onDataset: (path: string, outcome: string) => void = () => undefined): Promise<MoveReport> {
  const target = uploadBytes();
  if (!target.location) throw new ValidationError("Datasets move into GridFS only when ARTIFACT_DIR is gridfs://<bucket>; set it as on the other nodes.", { ARTIFACT_DIR: ["not gridfs://"] });
  const folder = datasetBytesAt(undefined);
  await connectDb();
  const report: MoveReport = { moved: [], absent: [], refused: [] };
  const docs = await Dataset.find({ store: null, ...FINISHED_DATASETS }, { path: 1, file: 1, sha256: 1 }).lean();
  for (const doc of docs) {
    let data: Buffer;
    try {
      data = await folder.read(doc.file ?? doc.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      report.absent.push(doc.path);
      onDataset(doc.path, "not on this node");
      continue;
    }
    if (sha256Hex(data) !== doc.sha256) {
      report.refused.push({ path: doc.path, reason: "its file does not match the SHA-256 recorded at upload" });
      onDataset(doc.path, "refused");
      continue;
    }
    // Documents from before uploads had a file of their own get one now, named like an upload's.
    const file = doc.file ?? storedFileName(doc.path.replace(/\.csv$/i, ""), String(doc._id as mongoose.Types.ObjectId));
    const tmp = temporaryFile();
    await fs.writeFile(tmp, data, { flag: "wx" });
    // Whether this run wrote the copy: a run that died before its update below left one, and GridFS writes a name once.
    let wrote = true;
    try {
      await target.put(file, tmp);
    } catch (err) {
      if (!(err instanceof GridFsFileExistsError)) throw err;
      wrote = false;
    } finally {
      await fs.rm(tmp, { force: true });
    }
    // The copy there, written now or by an earlier run, is checked the same way.
    if (sha256Hex(await target.read(file)) !== doc.sha256) {
      await target.remove(file);
      report.refused.push({ path: doc.path, reason: "the copy read back from the database differs" });
      onDataset(doc.path, "refused");
      continue;
    }
    const done = await Dataset.updateOne({ _id: doc._id, sha256: doc.sha256, store: null }, { $set: { store: target.location, file } });
    if (done.matchedCount !== 1) {
      // Deleted or moved by someone else meanwhile: a copy this run wrote is nobody's.
      if (wrote) await target.remove(file);
      continue;
    }
    report.moved.push(doc.path);
    onDataset(doc.path, "moved");
    log.info({ path: doc.path, file, store: target.location }, "dataset moved into the database");
  }
  return report;
}
