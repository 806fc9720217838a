import fs from "node:fs/promises";
import mongoose from "mongoose";
import { z } from "zod";
import { config } from "@/lib/config";
import { connectDb } from "@/lib/db";
import { ConflictError, PayloadTooLargeError, ValidationError } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { Dataset, type DatasetFields } from "@/models/Dataset";
import type { CsvAnalysis } from "./analysis";
import { datasetBytesAt, uploadBytes } from "./bytes";
import { resolveDatasetPath, storedFileName, temporaryFile } from "./files";
import { analyzeOffThread } from "./off-thread";

const log = childLogger("datasets");

export interface DatasetInfo {
  path: string;
  /** "table" unless the upload's inspector said otherwise (e.g. "games"). */
  kind: string;
  columns: string[];
  rows: number;
  bytes: number;
  created_at: string | null;
}

/** What an inspector decided about an upload: its kind and what to record about it. */
export interface DatasetKind {
  kind: string;
  facts?: Record<string, unknown>;
}

/**
 * Looks at an upload once it has parsed as a CSV, before its name is claimed:
 * says what kind of data it is, or refuses it with a ValidationError. Gets the
 * upload's temporary file, to read in a thread of its own if it is large.
 */
export type DatasetInspector = (file: string, analysis: Pick<CsvAnalysis, "columns" | "rows" | "sha256">) => Promise<DatasetKind>;

export const TABLE_KIND = "table";

/** A CSV arriving as a stream of bytes. */
export interface DatasetUpload {
  /** The dataset's name, or a promise of it when the body carries it after the file (a multipart name field). */
  name: unknown;
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/**
 * A pending document older than this belongs to an upload that died between
 * claiming its name and finishing; another upload may then take the name over.
 */
export const PENDING_UPLOAD_GRACE_MS = 10 * 60 * 1000;

type DatasetLean = DatasetFields & { _id: mongoose.Types.ObjectId; createdAt?: Date; updatedAt?: Date };

/** A dataset's name as an upload gives it (multipart field `name`, or ?name= with a text/csv body). */
export const DatasetName = z
  .string({ error: "give the dataset a name" })
  .trim()
  .min(1, "give the dataset a name")
  .max(80, "use at most 80 characters")
  .transform((n) => n.replace(/\.csv$/i, ""))
  .refine((n) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(n) && !n.includes(".."), {
    message: "use letters, digits, '.', '_' and '-' only (no folders)",
  });

/** A dataset path as documents record it ("games.csv"): a dataset name and no folder, whether or not it is stored here. */
export const DatasetPath = z
  .string()
  .max(300)
  .refine((p) => p.toLowerCase().endsWith(".csv") && DatasetName.safeParse(p).success, { message: "must be a dataset file name such as games.csv, with no folder" });

function parseName(input: unknown): string {
  const name = DatasetName.safeParse(input);
  if (!name.success) {
    throw new ValidationError("The dataset name is not valid.", { name: name.error.issues.map((i) => i.message) });
  }
  return name.data;
}

export function isReady(doc: { state?: string | null }): boolean {
  return doc.state !== "pending";
}

export function toInfo(rec: { path: string; kind?: string | null; columns: string[]; rows: number; bytes: number; createdAt?: Date }): DatasetInfo {
  return {
    path: rec.path,
    kind: rec.kind || TABLE_KIND,
    columns: [...rec.columns],
    rows: rec.rows,
    bytes: rec.bytes,
    created_at: rec.createdAt ? rec.createdAt.toISOString() : null,
  };
}

/**
 * Stores an uploaded CSV: in DATA_DIR, or in GridFS when the artifacts are
 * there (lib/datasets/bytes.ts). The body goes to a temporary file of this
 * upload's own in DATA_DIR, counted as it arrives and refused (413) as soon as it
 * passes MAX_UPLOAD_BYTES, so no more than the limit is ever held. The file is
 * then parsed in a worker thread, and only a CSV that parses is recorded, with
 * its columns and facts. The same content again under the same name is a no-op;
 * different content under a taken name is a conflict. Whatever is refused, and
 * wherever it stops, this upload leaves no file behind.
 */
export async function saveDatasetUpload(upload: DatasetUpload, options: { inspect?: DatasetInspector } = {}): Promise<DatasetInfo> {
  // A name known up front is checked before a single byte is written.
  if (!(upload.name instanceof Promise)) parseName(upload.name);
  await fs.mkdir(config().dataDir, { recursive: true });
  const tmp = temporaryFile();
  try {
    await writeCapped(tmp, upload.body, config().maxUploadBytes);
    const name = parseName(await upload.name);
    const analysis = await analyzeOffThread(tmp);
    const kind = options.inspect ? await options.inspect(tmp, analysis) : null;
    return await record(name, tmp, analysis, kind);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** Text already in memory (scripts, tests, the demo seed). */
export function saveDataset(input: { name: unknown; text: string }, options: { inspect?: DatasetInspector } = {}): Promise<DatasetInfo> {
  return saveDatasetUpload({ name: input.name, body: [Buffer.from(input.text, "utf8")] }, options);
}

async function writeCapped(file: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, limit: number): Promise<number> {
  // "wx": a planted file or link at the temporary name is refused, never written through.
  const handle = await fs.open(file, "wx", 0o644);
  let total = 0;
  try {
    for await (const chunk of body) {
      total += chunk.byteLength;
      // Leaving the loop cancels the body, so the rest of an oversized upload is never read.
      if (total > limit) throw new PayloadTooLargeError(limit);
      await handle.write(chunk);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return total;
}

/**
 * Claims the name with a pending document (the unique index on `path` decides
 * between concurrent uploads), stores this upload's file under a name only it
 * uses, then marks the document ready. A loser has written nothing but its
 * temporary file. A crash leaves a pending document, which no reader treats as
 * a dataset and a later upload may take over, or a temporary file, or a stored
 * file no document points at (or, in GridFS, chunks without a file): the
 * sweep removes each.
 */
async function record(name: string, tmp: string, analysis: CsvAnalysis, kind: DatasetKind | null): Promise<DatasetInfo> {
  const relPath = `${name}.csv`;
  resolveDatasetPath(relPath, "name");
  await connectDb();
  const existing = await Dataset.findOne({ path: relPath }).lean<DatasetLean>();
  if (existing) {
    const same = answerExisting(existing, analysis.sha256, relPath);
    if (same) return same;
    await takeOverStaleClaim(existing);
  }

  const id = new mongoose.Types.ObjectId();
  const file = storedFileName(name, String(id));
  const bytes = uploadBytes();
  const started = Date.now();
  try {
    await Dataset.create({
      _id: id,
      path: relPath,
      file,
      store: bytes.location,
      state: "pending",
      columns: analysis.columns,
      rows: analysis.rows,
      bytes: analysis.bytes,
      sha256: analysis.sha256,
      facts: analysis.facts,
      ...(kind && kind.kind !== TABLE_KIND ? { kind: kind.kind, kind_facts: kind.facts ?? {} } : {}),
    });
  } catch (err) {
    if ((err as { code?: number }).code !== 11000) throw err;
    const winner = await Dataset.findOne({ path: relPath }).lean<DatasetLean>();
    const same = winner ? answerExisting(winner, analysis.sha256, relPath) : null;
    if (same) return same;
    throw new ConflictError(`A dataset named "${relPath}" was saved at the same moment; choose another name.`);
  }

  await bytes.put(file, tmp);
  const done = await Dataset.updateOne({ _id: id, state: "pending" }, { $set: { state: "ready" } });
  if (done.matchedCount !== 1) {
    // Taken over as abandoned while this upload was slow: the file is this upload's own, so it can go.
    await bytes.remove(file);
    throw new ConflictError(`The upload of "${relPath}" took too long and was replaced; upload it again.`);
  }
  log.info({ path: relPath, file, store: bytes.location ?? "DATA_DIR", bytes: analysis.bytes, rows: analysis.rows, ms: Date.now() - started }, "dataset saved");
  const saved = await Dataset.findById(id).lean<DatasetLean>();
  return toInfo(saved ?? { path: relPath, kind: kind?.kind, columns: analysis.columns, rows: analysis.rows, bytes: analysis.bytes });
}

/** The stored dataset when it is this very content; throws when the name is taken; null when the name can be had. */
function answerExisting(existing: DatasetLean, sha256: string, relPath: string): DatasetInfo | null {
  if (isReady(existing)) {
    if (existing.sha256 === sha256) return toInfo(existing);
    throw new ConflictError(`A different dataset named "${relPath}" already exists; choose another name.`);
  }
  const age = Date.now() - (existing.updatedAt?.getTime() ?? 0);
  if (age < PENDING_UPLOAD_GRACE_MS) {
    throw new ConflictError(`A dataset named "${relPath}" is being saved right now; choose another name or try again shortly.`);
  }
  return null;
}

/** Removes an abandoned claim (and the file only it could have written), unless someone else just did. */
async function takeOverStaleClaim(existing: DatasetLean): Promise<void> {
  const removed = await Dataset.deleteOne({ _id: existing._id, state: "pending" });
  if (removed.deletedCount === 1 && existing.file) {
    await datasetBytesAt(existing.store).remove(existing.file);
    log.warn({ path: existing.path, file: existing.file }, "took over an abandoned upload");
  }
}
