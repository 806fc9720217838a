import mongoose from "mongoose";
import { boundedCache, sharedRead } from "@/lib/cache";
import { derivedCache } from "@/lib/derived-cache";
import { moveStamp, readStamp } from "@/models/ServingStamp";

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
 * Files are found by `_id` too: a file's `_id` is its name (artifact and
 * dataset names are written once: they embed a fresh run or document id), so
 * finding a file is `{_id: name}`, not `{filename: name}`, which on FerretDB
 * reads every file document of the bucket (540-690 ms each with 1,900 files
 * in `npm run bench:scale`, against 5 ms by `_id`). Files of the earlier
 * layout (an ObjectId `_id`, as the driver's openUploadStream writes) are
 * still found, by `filename`, when the `_id` lookup misses.
 *
 * Atomicity is GridFS's: the file's document is inserted after its last
 * chunk, so a reader finds the whole file or none. A write that dies midway
 * leaves chunks without a file document, which the stores' orphan sweeps remove.
 * A second write of a name is refused (GridFsFileExistsError) by the unique
 * indexes (`_id` of the files, `files_id`+`n` of the chunks), and the first
 * file stays as it was.
 */
export const CHUNK_BYTES = 255 * 1024;

export interface GridFsFileDoc {
  /** The file's name for files written here; an ObjectId for files of the earlier layout or other GridFS clients. */
  _id: ObjectId | string;
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

/** Thrown when a file of that name was already written: names are written once, and the first file stays. */
export class GridFsFileExistsError extends Error {
  constructor(readonly filename: string, options?: { cause?: unknown }) {
    super(`a file named ${filename} is already stored (or its upload is under way)`, options);
    this.name = "GridFsFileExistsError";
  }
}

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * Writes a file under `_id` = `filename`: its chunks as they come (a stream is
 * never held whole), then its document. On any failure the chunks written so
 * far are removed and the error is thrown; no document ever points at a
 * partial file. A name already stored, or being written, is refused with
 * GridFsFileExistsError, leaving that file untouched.
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
  const fileId = filename;
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
    await db.collection<GridFsFileDoc>(`${bucket}.files`).insertOne(doc);
    await moveBucketStamp(db, bucket);
    return doc;
  } catch (err) {
    for (const _id of chunkIds) await chunks.deleteOne({ _id }).catch(() => undefined);
    if (isDuplicateKey(err)) throw new GridFsFileExistsError(filename, { cause: err });
    throw err;
  }
}

/**
 * The file stored under a name, or null: by `_id` (one document read), then,
 * only when that misses, the newest file of the earlier layout by `filename`
 * (on FerretDB, a read of every file document).
 */
export async function findGridFsFile(db: Db, bucket: string, filename: string): Promise<GridFsFileDoc | null> {
  const files = db.collection<GridFsFileDoc>(`${bucket}.files`);
  const byId = await files.findOne({ _id: filename });
  if (byId && byId.filename === filename) return byId;
  const [doc] = await files.find({ filename }).sort({ uploadDate: -1 }).limit(1).toArray();
  return doc ?? null;
}

/** Up to this many names, findGridFsFiles looks each up by `_id`; beyond, one `$in` costs less on FerretDB. */
const SINGLE_LOOKUPS_UP_TO = 16;

/**
 * The files stored under many names: each by `_id` when they are few (a
 * model's three artifacts), else in one `{_id: {$in}}` query (a listing's
 * 150); then `{filename: {$in}}` for the names missed (files of the earlier
 * layout, or absent ones). Measured on FerretDB (SQLite) with 1,900 files: an
 * `$in`, even on `_id`, reads every file document (61-132 ms), while one `_id`
 * lookup takes about 3 ms, served one at a time (150 of them: 430-560 ms, in
 * parallel or not). So what was found is remembered under the bucket's stamp:
 * while no file of the bucket was written or removed, a listing costs one read
 * of that stamp. Names absent from the result have no file.
 */
export async function findGridFsFiles(db: Db, bucket: string, filenames: string[]): Promise<Map<string, GridFsFileDoc>> {
  const found = new Map<string, GridFsFileDoc>();
  if (filenames.length === 0) return found;
  const stamp = await readBucketStamp(db, bucket);
  const key = `${db.databaseName}/${bucket}`;
  const remembered = seenFiles.get(key);
  const seen = remembered && remembered.stamp === stamp && Date.now() - remembered.at <= SEEN_MAX_AGE_MS ? remembered : { stamp, at: Date.now(), docs: new Map<string, GridFsFileDoc | null>() };
  if (seen !== remembered) seenFiles.set(key, seen);
  const unseen = filenames.filter((n) => !seen.docs.has(n));
  if (unseen.length > 0) {
    // Read after the stamp: a file written or removed meanwhile moves it, and the next call reads again.
    const read = await lookUpGridFsFiles(db, bucket, unseen);
    for (const name of unseen) seen.docs.set(name, read.get(name) ?? null);
  }
  for (const name of filenames) {
    const doc = seen.docs.get(name);
    if (doc) found.set(name, doc);
  }
  return found;
}

async function lookUpGridFsFiles(db: Db, bucket: string, filenames: string[]): Promise<Map<string, GridFsFileDoc>> {
  const files = db.collection<GridFsFileDoc>(`${bucket}.files`);
  const found = new Map<string, GridFsFileDoc>();
  const byId =
    filenames.length <= SINGLE_LOOKUPS_UP_TO
      ? await Promise.all(filenames.map((name) => files.findOne({ _id: name })))
      : await files.find({ _id: { $in: filenames } }).toArray();
  for (const doc of byId) {
    if (doc && typeof doc._id === "string" && doc.filename === doc._id) found.set(doc.filename, doc);
  }
  const missed = filenames.filter((n) => !found.has(n));
  if (missed.length > 0) {
    // Oldest first, so the newest file of a name is the one kept.
    for (const doc of await files.find({ filename: { $in: missed } }).sort({ uploadDate: 1 }).toArray()) found.set(doc.filename, doc);
  }
  return found;
}

/**
 * What was seen of a bucket's file documents is read again after this long even
 * if its stamp stayed: a file changed by another tool, or removed by a process
 * that died before moving the stamp. Listings are its only readers, so it
 * matches how long they remember their pages (lib/training/serving.ts).
 */
const SEEN_MAX_AGE_MS = 30_000;

interface SeenFiles {
  stamp: string;
  at: number;
  docs: Map<string, GridFsFileDoc | null>;
}

const seenFiles = boundedCache<SeenFiles>("gridfs-seen-files", 50);

/**
 * Each bucket's stamp (models/ServingStamp.ts keeps one per purpose): every
 * file written or removed through this module replaces its token after the
 * write, so what findGridFsFiles saw of a bucket is reused until it changes.
 */
const bucketStampId = (db: Db, bucket: string) => `gridfs:${db.databaseName}/${bucket}`;

function moveBucketStamp(db: Db, bucket: string): Promise<void> {
  return moveStamp(bucketStampId(db, bucket));
}

/** The bucket's stamp now ("" before any file was written here), from a read started after the call (shared by concurrent callers). */
function readBucketStamp(db: Db, bucket: string): Promise<string> {
  const id = bucketStampId(db, bucket);
  return sharedRead(`stamp:${id}`, () => readStamp(id));
}

/** Whether two GridFS ids (ObjectIds or names) are the same. */
function sameId(a: unknown, b: unknown): boolean {
  if (typeof a === "string" || typeof b === "string") return a === b;
  const isObjectId = (v: unknown) => typeof v === "object" && v !== null && (v as { _bsontype?: string })._bsontype === "ObjectId";
  return isObjectId(a) && isObjectId(b) && String(a) === String(b);
}

/** Thrown when a file's chunks are gone: it was removed between finding and reading it. */
export class GridFsFileGoneError extends Error {}

/** Files' bytes as this node read them, by the file's identity (see readGridFsFileNamed). */
const keptFiles = derivedCache("gridfs-files");

/**
 * The bytes of the file stored under a name, or null when there is none; its
 * bytes from this node's disk when they were read here before: a name is
 * written once, so a file's identity (database, bucket, `_id`, length, upload
 * time) names its bytes for good. Each chunk read is a lookup among all of the
 * bucket's chunks on FerretDB, and a build reads its base models' artifacts
 * and its meta dataset again on every rebuild and on every node. The file's
 * document is looked up each time (`seen: false`), or taken from what this
 * process has seen of the bucket (`seen: true`: one read of the bucket's stamp
 * while no file was written or removed through this module; a file replaced by
 * another tool is seen within SEEN_MAX_AGE_MS). A removed file is missing as
 * before; readers still compare checksums. Throws GridFsFileGoneError when the
 * file is removed while its chunks are read.
 */
export async function readGridFsFileNamed(db: Db, bucket: string, filename: string, opts: { seen: boolean }): Promise<Buffer | null> {
  const file = opts.seen ? (await findGridFsFiles(db, bucket, [filename])).get(filename) : await findGridFsFile(db, bucket, filename);
  if (!file) return null;
  const key = JSON.stringify([db.databaseName, bucket, String(file._id), file.length, file.uploadDate.getTime()]);
  const kept = await keptFiles.get(key);
  if (kept && kept.length === file.length) return kept;
  const bytes = await readGridFsFile(db, bucket, file);
  await keptFiles.set(key, bytes);
  return bytes;
}

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
      // The driver looks the file up by whatever `_id` it has, an ObjectId or a name.
      for await (const part of new mongoose.mongo.GridFSBucket(db, { bucketName: bucket }).openDownloadStream(file._id as ObjectId)) parts.push(part as Buffer);
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
    if (chunk.n !== n || !sameId(file._id, chunk.files_id)) throw new Error(`chunk ${n} of ${file.filename} belongs to another file`);
    const data = chunk.data instanceof Uint8Array ? chunk.data : chunk.data.buffer;
    parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  const bytes = Buffer.concat(parts);
  if (bytes.length !== file.length) throw new Error(`${file.filename} has ${bytes.length} bytes in its chunks, not the ${file.length} its document records`);
  return bytes;
}

/** Removes a file: its document first, so no reader finds it, then its chunks. Succeeds when already gone. */
export async function deleteGridFsFile(db: Db, bucket: string, file: Pick<GridFsFileDoc, "_id" | "metadata">): Promise<void> {
  await db.collection<{ _id: ObjectId | string }>(`${bucket}.files`).deleteOne({ _id: file._id });
  await moveBucketStamp(db, bucket);
  const chunks = db.collection(`${bucket}.chunks`);
  const ids = file.metadata?.chunk_ids;
  if (Array.isArray(ids)) for (const _id of ids) await chunks.deleteOne({ _id });
  else await chunks.deleteMany({ files_id: file._id });
}

/**
 * Removes the chunks of uploads that died before their file document was
 * written, once their chunks are older than `cutoffMs` (ms since epoch; chunk
 * `_id`s are ObjectIds, stamped when written, in either layout). A file's
 * `_id` is its name or an ObjectId; chunks whose file document exists are
 * kept. Returns the number of chunks removed. It reads the whole chunks
 * collection: it runs in the hourly sweep, never on a request.
 */
export async function removeOrphanGridFsChunks(db: Db, bucket: string, cutoffMs: number): Promise<number> {
  const chunks = db.collection(`${bucket}.chunks`);
  const files = db.collection<{ _id: ObjectId | string }>(`${bucket}.files`);
  const before = mongoose.Types.ObjectId.createFromTime(Math.floor(cutoffMs / 1000));
  let removed = 0;
  for (const id of (await chunks.distinct("files_id", { _id: { $lt: before } })) as Array<ObjectId | string>) {
    if (await files.countDocuments({ _id: id }, { limit: 1 })) continue;
    // Only the old chunks: an upload of that name started since then is left to finish.
    removed += (await chunks.deleteMany({ files_id: id, _id: { $lt: before } })).deletedCount;
  }
  return removed;
}
