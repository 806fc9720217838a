import { createHash } from "node:crypto";
import mongoose from "mongoose";
import { connectDb } from "@/lib/db";
import { ArtifactMissingError, UnsafeArtifactPathError } from "./errors";
import type { ArtifactStat, ArtifactStore, WriteResult } from "./store";

type Db = NonNullable<typeof mongoose.connection.db>;

interface FileDoc {
  _id: mongoose.Types.ObjectId;
  filename: string;
  length: number;
  uploadDate: Date;
  metadata?: { sha256?: string };
}

/** Bucket names become collection names (`<bucket>.files`, `<bucket>.chunks`). */
export const BUCKET_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,49}$/;

/**
 * Artifacts as GridFS files in the app's own database, so every web node and
 * worker shares them with no disk in common and no extra server. GridFS writes
 * a file's document only after its last chunk, so a reader finds a complete
 * file or none: no reader ever sees a partial artifact. An upload that dies
 * midway leaves chunks without a file document, which `removeOrphanChunks`
 * sweeps.
 */
export class GridFsArtifactStore implements ArtifactStore {
  readonly root: string;

  constructor(private readonly bucketName: string) {
    if (!BUCKET_NAME.test(bucketName)) throw new UnsafeArtifactPathError(bucketName, "it is not a valid GridFS bucket name");
    this.root = `gridfs://${bucketName}`;
  }

  private async bucket(): Promise<{ db: Db; bucket: mongoose.mongo.GridFSBucket }> {
    const db = (await connectDb()).connection.db as Db;
    return { db, bucket: new mongoose.mongo.GridFSBucket(db, { bucketName: this.bucketName }) };
  }

  private async newest(relPath: string): Promise<FileDoc | null> {
    const { bucket } = await this.bucket();
    const [doc] = await bucket.find({ filename: checkName(relPath) }).sort({ uploadDate: -1 }).limit(1).toArray();
    return (doc as FileDoc | undefined) ?? null;
  }

  async write(relPath: string, data: string | Buffer): Promise<WriteResult> {
    const name = checkName(relPath);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const { bucket } = await this.bucket();
    const upload = bucket.openUploadStream(name, { metadata: { sha256 } });
    await new Promise<void>((resolve, reject) => {
      upload.once("finish", () => resolve());
      upload.once("error", reject);
      upload.end(bytes);
    }).catch(async (err: unknown) => {
      await upload.abort().catch(() => undefined);
      throw err;
    });
    // A rewrite under the same name leaves older revisions; readers take the newest, so drop the rest.
    const older = await bucket.find({ filename: name, _id: { $ne: upload.id } }).toArray();
    for (const f of older) await bucket.delete(f._id).catch(() => undefined);
    return { path: name, bytes: bytes.length, sha256 };
  }

  async read(relPath: string): Promise<Buffer> {
    const file = await this.newest(relPath);
    if (!file) throw new ArtifactMissingError(relPath);
    const { bucket } = await this.bucket();
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of bucket.openDownloadStream(file._id)) chunks.push(chunk as Buffer);
    } catch (err) {
      // Deleted between finding and reading it.
      if (/FileNotFound|not found/i.test(String(err))) throw new ArtifactMissingError(relPath, undefined, { cause: err });
      throw err;
    }
    return Buffer.concat(chunks);
  }

  async stat(relPath: string): Promise<ArtifactStat | null> {
    const file = await this.newest(relPath);
    return file ? { bytes: file.length, modifiedMs: file.uploadDate.getTime() } : null;
  }

  async statMany(relPaths: string[]): Promise<Map<string, ArtifactStat>> {
    const { bucket } = await this.bucket();
    const docs = (await bucket.find({ filename: { $in: relPaths.map((p) => checkName(p)) } }).sort({ uploadDate: 1 }).toArray()) as FileDoc[];
    // Sorted oldest first, so the newest revision of a name is the one kept.
    return new Map(docs.map((d) => [d.filename, { bytes: d.length, modifiedMs: d.uploadDate.getTime() }]));
  }

  async delete(relPath: string): Promise<void> {
    const { bucket } = await this.bucket();
    for (const f of await bucket.find({ filename: checkName(relPath) }).toArray()) {
      await bucket.delete(f._id).catch((err: unknown) => {
        if (!/not found/i.test(String(err))) throw err;
      });
    }
  }

  async list(prefix = ""): Promise<string[]> {
    if (prefix !== "") checkName(prefix, true);
    const { bucket } = await this.bucket();
    const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const docs = await bucket.find(prefix ? { filename: { $regex: `^${escaped}` } } : {}, { projection: { filename: 1 } }).toArray();
    return [...new Set(docs.map((d) => d.filename as string))].sort();
  }

  /** Chunks whose file document never came (an upload that died midway) and are older than `olderThanMs`. */
  async removeOrphanChunks(olderThanMs: number): Promise<number> {
    const { db } = await this.bucket();
    const chunks = db.collection(`${this.bucketName}.chunks`);
    const files = db.collection(`${this.bucketName}.files`);
    const cutoff = mongoose.Types.ObjectId.createFromTime(Math.floor((Date.now() - olderThanMs) / 1000));
    const ids = (await chunks.distinct("files_id", { files_id: { $lt: cutoff } })) as mongoose.Types.ObjectId[];
    let removed = 0;
    for (const id of ids) {
      if (await files.countDocuments({ _id: id }, { limit: 1 })) continue;
      removed += (await chunks.deleteMany({ files_id: id })).deletedCount;
    }
    return removed;
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
