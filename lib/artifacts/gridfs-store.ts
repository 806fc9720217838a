import { createHash } from "node:crypto";
import mongoose from "mongoose";
import { connectDb } from "@/lib/db";
import { ArtifactExistsError, ArtifactMissingError, UnsafeArtifactPathError } from "./errors";
import {
  deleteGridFsFile,
  findGridFsFile,
  findGridFsFiles,
  GridFsFileExistsError,
  GridFsFileGoneError,
  readGridFsFileNamed,
  removeOrphanGridFsChunks,
  writeGridFsFile,
  type GridFsFileDoc,
} from "@/lib/gridfs";
import type { ArtifactStat, ArtifactStore, WriteResult } from "./store";

type Db = NonNullable<typeof mongoose.connection.db>;

/** Bucket names become collection names (`<bucket>.files`, `<bucket>.chunks`). */
export const BUCKET_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,49}$/;

/**
 * Artifacts as GridFS files in the app's own database, so every web node and
 * worker shares them with no disk in common and no extra server. GridFS writes
 * a file's document only after its last chunk, so a reader finds a complete
 * file or none: no reader ever sees a partial artifact. An upload that dies
 * midway leaves chunks without a file document, which `removeOrphanChunks`
 * sweeps. Files are written and read through lib/gridfs.ts, which stores a
 * file under `_id` = its name and fetches chunks by `_id`: on FerretDB any
 * other lookup (`{filename}`, the driver's `{files_id}`) reads the whole
 * bucket. Artifact names embed a fresh run_id, so each is written once; a
 * second write of a name is refused (ArtifactExistsError), where a folder
 * would replace the file.
 */
export class GridFsArtifactStore implements ArtifactStore {
  readonly root: string;

  constructor(private readonly bucketName: string) {
    if (!BUCKET_NAME.test(bucketName)) throw new UnsafeArtifactPathError(bucketName, "it is not a valid GridFS bucket name");
    this.root = `gridfs://${bucketName}`;
  }

  private async db(): Promise<Db> {
    return (await connectDb()).connection.db as Db;
  }

  private async find(relPath: string): Promise<GridFsFileDoc | null> {
    return findGridFsFile(await this.db(), this.bucketName, checkName(relPath));
  }

  async write(relPath: string, data: string | Buffer): Promise<WriteResult> {
    const name = checkName(relPath);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    try {
      await writeGridFsFile(await this.db(), this.bucketName, name, bytes, { sha256 });
    } catch (err) {
      if (err instanceof GridFsFileExistsError) throw new ArtifactExistsError(name, undefined, { cause: err });
      throw err;
    }
    return { path: name, bytes: bytes.length, sha256 };
  }

  /**
   * Through what this node has read before and what this process has seen of the bucket (lib/gridfs.ts
   * readGridFsFileNamed): a build looks up three files per base model, each a lookup among all file documents on
   * FerretDB, and whoever loads an artifact compares its bytes with the checksum recorded at saving.
   */
  async read(relPath: string): Promise<Buffer> {
    let bytes: Buffer | null;
    try {
      bytes = await readGridFsFileNamed(await this.db(), this.bucketName, checkName(relPath), { seen: true });
    } catch (err) {
      // Deleted between finding and reading it.
      if (err instanceof GridFsFileGoneError) throw new ArtifactMissingError(relPath, undefined, { cause: err });
      throw err;
    }
    if (!bytes) throw new ArtifactMissingError(relPath);
    return bytes;
  }

  async stat(relPath: string): Promise<ArtifactStat | null> {
    const file = await this.find(relPath);
    return file ? { bytes: file.length, modifiedMs: file.uploadDate.getTime() } : null;
  }

  async statMany(relPaths: string[]): Promise<Map<string, ArtifactStat>> {
    const found = await findGridFsFiles(await this.db(), this.bucketName, relPaths.map((p) => checkName(p)));
    return new Map([...found].map(([name, d]) => [name, { bytes: d.length, modifiedMs: d.uploadDate.getTime() }]));
  }

  /** Removes the file and any of the earlier layout under that name (found by `filename`: a read of the bucket). */
  async delete(relPath: string): Promise<void> {
    const db = await this.db();
    for (const f of await db.collection<GridFsFileDoc>(`${this.bucketName}.files`).find({ filename: checkName(relPath) }).toArray()) {
      await deleteGridFsFile(db, this.bucketName, f);
    }
  }

  async list(prefix = ""): Promise<string[]> {
    if (prefix !== "") checkName(prefix, true);
    const files = (await this.db()).collection<GridFsFileDoc>(`${this.bucketName}.files`);
    const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const docs = await files.find(prefix ? { filename: { $regex: `^${escaped}` } } : {}, { projection: { filename: 1 } }).toArray();
    return [...new Set(docs.map((d) => d.filename as string))].sort();
  }

  /** Chunks whose file document never came (an upload that died midway) and are older than `olderThanMs`. */
  async removeOrphanChunks(olderThanMs: number): Promise<number> {
    return removeOrphanGridFsChunks(await this.db(), this.bucketName, Date.now() - olderThanMs);
  }
}

/**
 * The same rule as a local folder's: a relative name of plain characters with
 * no "." or ".." segment, so a name read from a document or a bundle can never
 * mean anything but one artifact.
 */
function checkName(relPath: string, isPrefix = false): string {
  if (typeof relPath !== "string" || relPath === "" || relPath.length > 400) {
    throw new UnsafeArtifactPathError(String(relPath), "it is empty or too long");
  }
  if (!/^[A-Za-z0-9._/-]+$/.test(relPath)) throw new UnsafeArtifactPathError(relPath, "it holds characters an artifact name never has");
  const segments = relPath.split("/");
  if (relPath.startsWith("/") || segments.some((s, i) => s === ".." || s === "." || (s === "" && !(isPrefix && i === segments.length - 1)))) {
    throw new UnsafeArtifactPathError(relPath, 'it is absolute or has an empty, "." or ".." segment');
  }
  return relPath;
}
