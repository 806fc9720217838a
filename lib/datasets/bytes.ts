import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import mongoose from "mongoose";
import { config } from "@/lib/config";
import { connectDb } from "@/lib/db";
import { deleteGridFsFile, GridFsFileGoneError, readGridFsFileNamed, removeOrphanGridFsChunks, writeGridFsFile, type GridFsFileDoc } from "@/lib/gridfs";
import { STORED_FILE, realFileInside, resolveDatasetPath, syncDirectory } from "./files";

/**
 * Where a dataset's bytes live. A document records the location it was stored
 * in (`store`), so a dataset is read from where it was written even after the
 * configuration changed. Two places:
 *
 * - the node's DATA_DIR (documents without `store`): one machine, or nodes
 *   sharing a disk;
 * - a GridFS bucket in the app's database (`gridfs://<bucket>`), chosen for new
 *   uploads when ARTIFACT_DIR is gridfs://, so a dataset uploaded through one
 *   web node trains on any worker with no disk in common.
 *
 * Every name is a stored file name (`<name>~<id>.csv`, STORED_FILE) checked
 * before it reaches a disk or a query. The upload itself always lands in a
 * temporary file of the receiving node first (streamed, capped, parsed there).
 */
export interface DatasetBytes {
  /** What a document records: undefined for DATA_DIR, `gridfs://<bucket>` otherwise. */
  readonly location: string | undefined;
  /** Moves an upload's finished temporary file in under `file`, a name only that upload uses; in GridFS, a name already stored is refused (GridFsFileExistsError). */
  put(file: string, tmp: string): Promise<void>;
  /** The stored bytes; an error with code ENOENT when there are none. */
  read(file: string): Promise<Buffer>;
  /** Succeeds when already absent. */
  remove(file: string): Promise<void>;
  /** Stored files and when each was written, for the sweep of what crashed uploads leave. */
  list(): Promise<Array<{ file: string; modifiedMs: number }>>;
}

/** The bucket datasets go to when the artifacts are in GridFS: one per database, like the datasets collection. */
export const DATASET_BUCKET = "dataset_files";
type Db = NonNullable<typeof mongoose.connection.db>;

const GRIDFS = /^gridfs:\/\/([A-Za-z][A-Za-z0-9_-]{0,49})$/;

function notFound(file: string): Error {
  return Object.assign(new Error(`no stored file ${file}`), { code: "ENOENT" });
}

function checkFile(file: string): string {
  if (!STORED_FILE.test(file)) throw new Error(`"${file}" is not a stored dataset file name`);
  return file;
}

class FolderBytes implements DatasetBytes {
  readonly location = undefined;

  async put(file: string, tmp: string): Promise<void> {
    const target = resolveDatasetPath(checkFile(file), "name");
    await fs.rename(tmp, target);
    await syncDirectory(path.dirname(target));
  }

  async read(file: string): Promise<Buffer> {
    // Documents from before uploads had a file of their own keep their bytes at their name, so any name inside DATA_DIR is read.
    return fs.readFile(await realFileInside(resolveDatasetPath(file, "training_csv")));
  }

  async remove(file: string): Promise<void> {
    await fs.rm(resolveDatasetPath(file, "name"), { force: true });
  }

  async list(): Promise<Array<{ file: string; modifiedMs: number }>> {
    const root = config().dataDir;
    const out: Array<{ file: string; modifiedMs: number }> = [];
    for (const name of await fs.readdir(root).catch(() => [] as string[])) {
      if (!STORED_FILE.test(name)) continue;
      // lstat: a link is never followed, so the sweep cannot remove anything outside DATA_DIR.
      const st = await fs.lstat(path.join(root, name)).catch(() => null);
      if (st?.isFile()) out.push({ file: name, modifiedMs: st.mtimeMs });
    }
    return out;
  }
}

class GridFsBytes implements DatasetBytes {
  readonly location: string;

  constructor(private readonly bucketName: string) {
    this.location = `gridfs://${bucketName}`;
  }

  private async db(): Promise<Db> {
    return (await connectDb()).connection.db as Db;
  }

  private files(db: Db) {
    return db.collection<GridFsFileDoc>(`${this.bucketName}.files`);
  }

  /**
   * Streams the temporary file into GridFS under `_id` = `file` (lib/gridfs.ts),
   * so it is read back by `_id`: the file's document is written only after its
   * last chunk, so a reader finds the whole dataset or none.
   */
  async put(file: string, tmp: string): Promise<void> {
    await writeGridFsFile(await this.db(), this.bucketName, checkFile(file), createReadStream(tmp));
    await fs.rm(tmp, { force: true });
  }

  /** Through what this node has read before (lib/gridfs.ts readGridFsFileNamed), the file's document looked up each time. */
  async read(file: string): Promise<Buffer> {
    let bytes: Buffer | null;
    try {
      bytes = await readGridFsFileNamed(await this.db(), this.bucketName, checkFile(file), { seen: false });
    } catch (err) {
      // Removed between finding and reading it.
      if (err instanceof GridFsFileGoneError) throw notFound(file);
      throw err;
    }
    if (!bytes) throw notFound(file);
    return bytes;
  }

  /** Removes the file, and any of the earlier layout (ObjectId `_id`) under that name. */
  async remove(file: string): Promise<void> {
    const db = await this.db();
    for (const f of await this.files(db).find({ filename: checkFile(file) }).toArray()) await deleteGridFsFile(db, this.bucketName, f);
  }

  async list(): Promise<Array<{ file: string; modifiedMs: number }>> {
    const docs = await this.files(await this.db()).find({}, { projection: { filename: 1, uploadDate: 1 } }).toArray();
    return docs.filter((d) => STORED_FILE.test(d.filename)).map((d) => ({ file: d.filename, modifiedMs: d.uploadDate.getTime() }));
  }

  /** Chunks of uploads that died before their file document was written, once older than the cutoff. */
  async removeOrphanChunks(cutoffMs: number): Promise<number> {
    return removeOrphanGridFsChunks(await this.db(), this.bucketName, cutoffMs);
  }
}

const folder = new FolderBytes();

/** The place a document's `store` names; an unknown scheme is an error, never a silent fall back to the folder. */
export function datasetBytesAt(location: string | null | undefined): DatasetBytes {
  if (location === undefined || location === null) return folder;
  const m = GRIDFS.exec(location);
  if (!m) throw new Error(`unknown dataset store "${location}"`);
  return new GridFsBytes(m[1]);
}

/** Where new uploads go: GridFS when the artifacts are there (nodes then share no disk), else DATA_DIR. */
export function uploadBytes(): DatasetBytes {
  return config().artifactDir.startsWith("gridfs://") ? new GridFsBytes(DATASET_BUCKET) : folder;
}

/** Every place documents may name, for the sweep: the folder, and the bucket when uploads go to GridFS. */
export function sweptBytes(): DatasetBytes[] {
  const current = uploadBytes();
  return current === folder ? [folder] : [folder, current];
}

export function isGridFs(bytes: DatasetBytes): bytes is DatasetBytes & { removeOrphanChunks(cutoffMs: number): Promise<number> } {
  return bytes instanceof GridFsBytes;
}
