import mongoose from "mongoose";

type Db = NonNullable<typeof mongoose.connection.db>;
type ObjectId = mongoose.Types.ObjectId;

/**
 * GridFS files that are read and removed chunk by chunk through `_id`.
 *
 * The layout is standard GridFS (a `<bucket>.files` document; `<bucket>.chunks`
 * documents with `files_id`, `n` and `data`), so any GridFS reader, the
 * driver's GridFSBucket included, reads these files. What differs: each file's
 * document lists its chunks' `_id`s (`metadata.chunk_ids`), and reads fetch
 * the chunks one by one by `_id` instead of querying `{files_id}`. FerretDB
 * (SQLite) hands only a bare `{_id: value}` filter to SQLite; any other filter
 * makes it decode every document of the collection, and a chunks collection
 * is the bucket's whole content: with 5 MB stored, one `{files_id}` lookup took
 * 350-450 ms against 2-25 ms by `_id`, and it grows with every file added.
 *
 * Atomicity is GridFS's: the file's document is inserted after its last
 * chunk, so a reader finds the whole file or none. A write that dies midway
 * leaves chunks without a file document, which the stores' orphan sweeps remove.
 */
export const CHUNK_BYTES = 255 * 1024;

export interface GridFsFileDoc {
  _id: ObjectId;
  filename: string;
  length: number;
  chunkSize: number;
  uploadDate: Date;
  metadata?: { chunk_ids?: ObjectId[]; [key: string]: unknown } | null;
}

interface ChunkDoc {
  _id: ObjectId;
  files_id: unknown;
  n: number;
  data: Uint8Array | { buffer: Uint8Array };
}

const indexed = new Set<string>();

/** The indexes GridFSBucket creates on its first upload, so drivers and real MongoDB find files by name and chunks by file. */
async function ensureIndexes(db: Db, bucket: string): Promise<void> {
  const key = `${db.databaseName}/${bucket}`;
  if (indexed.has(key)) return;
  await db.collection(`${bucket}.files`).createIndex({ filename: 1, uploadDate: 1 });
  await db.collection(`${bucket}.chunks`).createIndex({ files_id: 1, n: 1 }, { unique: true });
  indexed.add(key);
}

async function* rechunk(source: Buffer | AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(source)) {
    for (let at = 0; at < source.length; at += CHUNK_BYTES) yield source.subarray(at, at + CHUNK_BYTES);
    return;
  }
  let pending: Buffer[] = [];
  let size = 0;
  for await (const piece of source) {
    let buf = typeof piece === "string" ? Buffer.from(piece) : piece;
    while (size + buf.length >= CHUNK_BYTES) {
      const take = CHUNK_BYTES - size;
      pending.push(buf.subarray(0, take));
      yield Buffer.concat(pending);
      buf = buf.subarray(take);
      pending = [];
      size = 0;
    }
    if (buf.length > 0) {
      pending.push(buf);
      size += buf.length;
    }
  }
  if (size > 0) yield Buffer.concat(pending);
}

/**
 * Writes a file: its chunks as they come (a stream is never held whole), then
 * its document. On any failure the chunks written so far are removed and the
 * error is thrown; no document ever points at a partial file.
 */
export async function writeGridFsFile(
  db: Db,
  bucket: string,
  filename: string,
  source: Buffer | AsyncIterable<Buffer | string>,
  metadata: Record<string, unknown> = {},
): Promise<GridFsFileDoc> {
  await ensureIndexes(db, bucket);
  const chunks = db.collection(`${bucket}.chunks`);
  const fileId = new mongoose.Types.ObjectId();
  const chunkIds: ObjectId[] = [];
  let length = 0;
  try {
    for await (const data of rechunk(source)) {
      const _id = new mongoose.Types.ObjectId();
      await chunks.insertOne({ _id, files_id: fileId, n: chunkIds.length, data });
      chunkIds.push(_id);
      length += data.length;
    }
    const doc: GridFsFileDoc = { _id: fileId, length, chunkSize: CHUNK_BYTES, uploadDate: new Date(), filename, metadata: { ...metadata, chunk_ids: chunkIds } };
    await db.collection(`${bucket}.files`).insertOne(doc);
    return doc;
  } catch (err) {
    for (const _id of chunkIds) await chunks.deleteOne({ _id }).catch(() => undefined);
    throw err;
  }
}

/** The newest file under a name, or null. */
export async function newestGridFsFile(db: Db, bucket: string, filename: string): Promise<GridFsFileDoc | null> {
  const [doc] = await db.collection<GridFsFileDoc>(`${bucket}.files`).find({ filename }).sort({ uploadDate: -1 }).limit(1).toArray();
  return doc ?? null;
}

/** Thrown when a file's chunks are gone: it was removed between finding and reading it. */
export class GridFsFileGoneError extends Error {}

/**
 * A file's bytes. Files whose document lists its chunks are read by `_id`;
 * others (written by another GridFS client) through the driver's download
 * stream. Every chunk is checked to belong to the file, in order.
 */
export async function readGridFsFile(db: Db, bucket: string, file: GridFsFileDoc): Promise<Buffer> {
  const ids = file.metadata?.chunk_ids;
  const expected = file.length === 0 ? 0 : Math.ceil(file.length / file.chunkSize);
  if (!Array.isArray(ids) || ids.length !== expected) {
    const parts: Buffer[] = [];
    try {
      for await (const part of new mongoose.mongo.GridFSBucket(db, { bucketName: bucket }).openDownloadStream(file._id)) parts.push(part as Buffer);
    } catch (err) {
      if (/FileNotFound|not found|ChunkIsMissing/i.test(String(err))) throw new GridFsFileGoneError(String(err), { cause: err });
      throw err;
    }
    return Buffer.concat(parts);
  }
  const chunks = db.collection<ChunkDoc>(`${bucket}.chunks`);
  const parts: Buffer[] = [];
  for (const [n, _id] of ids.entries()) {
    const chunk = await chunks.findOne({ _id });
    if (!chunk) throw new GridFsFileGoneError(`chunk ${n} of ${file.filename} is missing`);
    if (chunk.n !== n || !file._id.equals(chunk.files_id as ObjectId)) throw new Error(`chunk ${n} of ${file.filename} belongs to another file`);
    const data = chunk.data instanceof Uint8Array ? chunk.data : chunk.data.buffer;
    parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  const bytes = Buffer.concat(parts);
  if (bytes.length !== file.length) throw new Error(`${file.filename} has ${bytes.length} bytes in its chunks, not the ${file.length} its document records`);
  return bytes;
}

/** Removes a file: its document first, so no reader finds it, then its chunks. Succeeds when already gone. */
export async function deleteGridFsFile(db: Db, bucket: string, file: Pick<GridFsFileDoc, "_id" | "metadata">): Promise<void> {
  await db.collection(`${bucket}.files`).deleteOne({ _id: file._id });
  const chunks = db.collection(`${bucket}.chunks`);
  const ids = file.metadata?.chunk_ids;
  if (Array.isArray(ids)) for (const _id of ids) await chunks.deleteOne({ _id });
  else await chunks.deleteMany({ files_id: file._id });
}
