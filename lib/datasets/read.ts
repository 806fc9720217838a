import fs from "node:fs/promises";
import path from "node:path";
import mongoose from "mongoose";
import { config } from "@/lib/config";
import { connectDb } from "@/lib/db";
import { ValidationError } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { boundedCache } from "@/lib/cache";
import { rememberedUnderStamp, stampNow, type Remembered } from "@/lib/stamped-cache";
import { parseCsv, type ParsedCsv } from "@/lib/ml/csv";
import { csvFactsSchema, type CsvFacts } from "@/lib/ml/csv-facts";
import { Dataset, FINISHED_DATASETS, type DatasetFields } from "@/models/Dataset";
import { DATASETS_STAMP_ID } from "@/models/ServingStamp";
import type { CsvAnalysis } from "./analysis";
import { datasetBytesAt } from "./bytes";
import { realFileInside, resolveDatasetPath, sha256Hex, temporaryFile } from "./files";
import { analyzeOffThread } from "./off-thread";
import { TABLE_KIND } from "./store";

const log = childLogger("datasets");

type DatasetLean = DatasetFields & { _id: mongoose.Types.ObjectId };
/** What reading a dataset's bytes needs: the document without its facts, which run to kilobytes. */
type DatasetFile = Omit<DatasetLean, "facts" | "kind_facts" | "refusal">;
const WITHOUT_FACTS = { facts: 0, kind_facts: 0, refusal: 0 } as const;

/**
 * Datasets' documents without their facts, by path, remembered under the
 * datasets' stamp, which every write to a dataset moves (and nothing else: an
 * ensemble build's own writes leave it, so its next build finds the document
 * remembered). On the embedded FerretDB
 * a dataset's document costs 10-20 ms to read whatever the projection (it
 * decodes the whole document, facts included), more than the rest of an
 * ensemble build's reads together; the stamp's document costs about 2 ms.
 * Re-read after 30 s even when the stamp stands still, for writes made outside
 * the app, as listings are.
 */
const datasetFiles = boundedCache<Remembered>("dataset-files", 256);
const DATASET_FILE_MAX_AGE_MS = 30_000;

/** A finished dataset's document, or a refusal naming the field the path came from. */
async function findDataset(datasetPath: string, field: string): Promise<DatasetLean>;
async function findDataset(datasetPath: string, field: string, projection: typeof WITHOUT_FACTS): Promise<DatasetFile>;
async function findDataset(datasetPath: string, field: string, projection?: typeof WITHOUT_FACTS): Promise<DatasetFile> {
  resolveDatasetPath(datasetPath, field);
  await connectDb();
  const read = () => Dataset.findOne({ path: datasetPath, ...FINISHED_DATASETS }, projection).lean<DatasetLean>();
  const doc = projection === WITHOUT_FACTS ? await rememberedUnderStamp(datasetFiles, DATASET_FILE_MAX_AGE_MS, datasetPath, read, stampNow(DATASETS_STAMP_ID)) : await read();
  if (!doc) throw missing(datasetPath, field);
  return doc;
}

function missing(datasetPath: string, field: string): ValidationError {
  return new ValidationError(`The dataset "${datasetPath}" does not exist; upload it again.`, { [field]: ["no such dataset"] });
}

/** The stored bytes, from wherever the document says they are: its own file, or its name for documents from before uploads had one. */
async function readBytes(doc: DatasetFile, datasetPath: string, field: string): Promise<Buffer> {
  try {
    return await datasetBytesAt(doc.store).read(doc.file ?? doc.path);
  } catch (err) {
    throw unreadable(doc, datasetPath, field, err);
  }
}

/** System messages name absolute paths: they go to the log, and the client gets a fixed sentence. */
function unreadable(doc: DatasetFile, datasetPath: string, field: string, err: unknown): ValidationError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR" || code === "ENAMETOOLONG") {
    // Stored in a DATA_DIR while the nodes share none: it is on the node that received it, not here.
    if (!doc.store && config().artifactDir.startsWith("gridfs://")) {
      return new ValidationError(
        `The dataset "${datasetPath}" is in the data folder of the node that received it, not on this one; move it into the database with npm run datasets:to-gridfs on that node, or upload it again.`,
        { [field]: ["stored on another node's disk"] },
      );
    }
    return missing(datasetPath, field);
  }
  log.error({ path: datasetPath, err: err instanceof Error ? err.message : String(err) }, "dataset read failed");
  return new ValidationError(`The dataset "${datasetPath}" cannot be read; the server log says why.`, { [field]: ["cannot be read"] });
}

function changed(datasetPath: string, field: string): ValidationError {
  return new ValidationError(`The dataset "${datasetPath}" changed on disk since it was uploaded; upload it again.`, {
    [field]: ["its file no longer matches what was uploaded"],
  });
}

/** Where a dataset's bytes are and what was recorded about them, for readers that parse the file elsewhere (a worker thread). */
export interface DatasetSource {
  path: string;
  kind: string;
  /** What the kind's inspector recorded at upload; unchecked here, each kind reads it through its own schema. */
  kindFacts: unknown;
  rows: number;
  /** Checksum recorded at upload: whoever reads `file` compares it, as readDatasetText does. */
  sha256: string;
  /** The absolute file, checked to lie inside DATA_DIR (links included). */
  file: string;
}

export async function datasetSource(datasetPath: string, field = "training_csv"): Promise<DatasetSource> {
  const doc = await findDataset(datasetPath, field);
  let file: string;
  try {
    file = doc.store ? await localCopyOf(doc) : await realFileInside(resolveDatasetPath(doc.file ?? doc.path, field));
  } catch (err) {
    throw unreadable(doc, datasetPath, field, err);
  }
  return { path: datasetPath, kind: doc.kind || TABLE_KIND, kindFacts: doc.kind_facts, rows: doc.rows, sha256: doc.sha256, file };
}

/** Where this node keeps its copies of datasets stored in the database, one per checksum. */
const COPIES_DIR = ".copies";
/** A copy whose dataset was deleted stays this long, so a reader that was handed its path a moment ago still opens it. */
export const UNUSED_COPY_GRACE_MS = 60 * 60 * 1000;

/**
 * Worker threads read files: a dataset kept in the database gets one copy in
 * this node's DATA_DIR per checksum, written whole before it is renamed into
 * place, and reused afterwards. Readers check the checksum, as for any file.
 */
async function localCopyOf(doc: DatasetFile): Promise<string> {
  const dir = path.join(config().dataDir, COPIES_DIR);
  const file = path.join(dir, `${doc.sha256}.csv`);
  if (await fs.stat(file).then((st) => st.isFile(), () => false)) return file;
  await fs.mkdir(dir, { recursive: true });
  const tmp = temporaryFile();
  try {
    await fs.writeFile(tmp, await datasetBytesAt(doc.store).read(doc.file ?? doc.path), { flag: "wx" });
    await fs.rename(tmp, file);
  } finally {
    await fs.rm(tmp, { force: true });
  }
  // Web nodes make copies too (forecasts) and run no sweep: each new copy is the moment to drop those of deleted datasets.
  void removeUnusedDatasetCopies().catch((err: unknown) => log.warn({ err: String(err) }, "could not remove unused dataset copies"));
  return file;
}

/**
 * Removes this node's copies of datasets that no document records any more
 * (deleted, or uploaded again with other content), once older than
 * UNUSED_COPY_GRACE_MS. Returns the removed files' names.
 */
export async function removeUnusedDatasetCopies(now = Date.now()): Promise<string[]> {
  const dir = path.join(config().dataDir, COPIES_DIR);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  if (names.length === 0) return [];
  await connectDb();
  const recorded = new Set((await Dataset.distinct("sha256")) as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const sha = /^([a-f0-9]{64})\.csv$/.exec(name)?.[1];
    if (!sha || recorded.has(sha)) continue;
    const file = path.join(dir, name);
    // lstat: a link is never followed, so nothing outside DATA_DIR is removed.
    const st = await fs.lstat(file).catch(() => null);
    if (!st?.isFile() || st.mtimeMs > now - UNUSED_COPY_GRACE_MS) continue;
    await fs.rm(file, { force: true });
    removed.push(name);
  }
  if (removed.length > 0) log.info({ removed }, "removed copies of deleted datasets");
  return removed;
}

/** The CSV's text, checked against the checksum recorded at upload, with what a version records of it (lineage). */
export async function readDataset(datasetPath: string, field = "training_csv"): Promise<{ text: string; sha256: string; rows: number }> {
  return readFileOf(await findDataset(datasetPath, field, WITHOUT_FACTS), datasetPath, field);
}

async function readFileOf(doc: DatasetFile, datasetPath: string, field: string): Promise<{ text: string; sha256: string; rows: number }> {
  const data = await readBytes(doc, datasetPath, field);
  if (sha256Hex(data) !== doc.sha256) throw changed(datasetPath, field);
  return { text: data.toString("utf8"), sha256: doc.sha256, rows: doc.rows };
}

export async function readDatasetText(datasetPath: string, field = "training_csv"): Promise<string> {
  return (await readDataset(datasetPath, field)).text;
}

/** Parsed datasets by content, and which content each file held at which size and mtime. */
const parsedTables = boundedCache<ParsedCsv>("parsed-datasets", 4);
const fileContents = boundedCache<{ stamp: string; sha256: string }>("dataset-file-checksums", 64);

/**
 * A dataset parsed, once per content (sha256): a build that uses the same meta
 * CSV again reads nothing while a stat shows the file as it was when its
 * checksum was verified. Callers only read the table; it is shared.
 */
export async function readDatasetTable(datasetPath: string, field = "training_csv"): Promise<ParsedCsv> {
  return (await readDatasetContent(datasetPath, field)).table;
}

/** readDatasetTable with the checksum the table was verified against: a key for whatever callers derive from it. */
export async function readDatasetContent(datasetPath: string, field = "training_csv"): Promise<{ table: ParsedCsv; sha256: string }> {
  const content = await readVerifiedDataset(datasetPath, field);
  return { table: await content.table(), sha256: content.sha256 };
}

/** A dataset whose bytes match its recorded checksum, parsed only when asked (once per content). */
export interface VerifiedDataset {
  sha256: string;
  table(): Promise<ParsedCsv>;
}

/**
 * Checks a dataset's bytes against the checksum recorded at upload (a missing
 * or changed file is refused here) and leaves the parse to the caller: one who
 * has what it needs already derived from this content, by its checksum,
 * parses nothing.
 */
export async function readVerifiedDataset(datasetPath: string, field = "training_csv"): Promise<VerifiedDataset> {
  const doc = await findDataset(datasetPath, field, WITHOUT_FACTS);
  let text = await verifiedText(doc, datasetPath, field);
  return {
    sha256: doc.sha256,
    async table() {
      const parsed = parsedTables.get(doc.sha256);
      if (parsed) return parsed;
      // Verified by a stat this process trusts, and the parsed table since dropped: read (and check) it again.
      text ??= (await readFileOf(doc, datasetPath, field)).text;
      const table = parseCsv(text);
      parsedTables.set(doc.sha256, table);
      return table;
    },
  };
}

/**
 * The dataset's text, checked against its checksum; null when this process
 * already holds the content parsed and knows the bytes unchanged (bytes in the
 * database are written once; a file whose size and mtime are as they were when
 * its checksum was verified).
 */
async function verifiedText(doc: DatasetFile, datasetPath: string, field: string): Promise<string | null> {
  if (doc.store) return parsedTables.has(doc.sha256) ? null : (await readFileOf(doc, datasetPath, field)).text;
  let file: string;
  let stamp: string;
  try {
    file = await realFileInside(resolveDatasetPath(doc.file ?? doc.path, field));
    const st = await fs.stat(file);
    stamp = `${st.size}:${st.mtimeMs}`;
  } catch (err) {
    throw unreadable(doc, datasetPath, field, err);
  }
  const known = fileContents.get(file);
  if (known && known.stamp === stamp && known.sha256 === doc.sha256) return null;
  const { text, sha256 } = await readFileOf(doc, datasetPath, field);
  fileContents.set(file, { stamp, sha256 });
  return text;
}

/** A dataset as configs are checked against it: its columns and row count, and per column what its values are. */
export interface DatasetFacts {
  path: string;
  facts: CsvFacts;
}

const computing = new Map<string, Promise<CsvFacts>>();

/**
 * The facts recorded at upload. A dataset stored before uploads recorded them
 * gets them computed once, in a worker thread, and stored; a file that no longer
 * parses gets its refusal stored instead, so it is not parsed again either.
 */
export async function datasetFacts(datasetPath: string, field = "training_csv"): Promise<DatasetFacts> {
  const doc = await findDataset(datasetPath, field);
  if (doc.refusal) throw new ValidationError(doc.refusal.message, (doc.refusal.fields ?? {}) as Record<string, string[]>);
  const stored = csvFactsSchema.safeParse(doc.facts);
  if (stored.success) return { path: datasetPath, facts: stored.data };

  const key = `${String(doc._id)}:${doc.sha256}`;
  let pending = computing.get(key);
  if (!pending) {
    pending = computeFacts(doc, datasetPath, field).finally(() => computing.delete(key));
    computing.set(key, pending);
  }
  return { path: datasetPath, facts: await pending };
}

async function computeFacts(doc: DatasetLean, datasetPath: string, field: string): Promise<CsvFacts> {
  const started = Date.now();
  // The worker thread reads a file: a dataset in the database is copied to a temporary one first.
  const copy = doc.store ? temporaryFile() : null;
  let analysis: CsvAnalysis;
  try {
    let file: string;
    try {
      if (copy) await fs.writeFile(copy, await datasetBytesAt(doc.store).read(doc.file ?? doc.path), { flag: "wx" });
      file = copy ?? (await realFileInside(resolveDatasetPath(doc.file ?? doc.path, field)));
    } catch (err) {
      throw unreadable(doc, datasetPath, field, err);
    }
    analysis = await analyzeRecordingRefusal(doc, file, datasetPath, field);
  } finally {
    if (copy) await fs.rm(copy, { force: true });
  }
  if (analysis.sha256 !== doc.sha256) throw changed(datasetPath, field);
  await Dataset.updateOne({ _id: doc._id, sha256: doc.sha256 }, { $set: { facts: analysis.facts } });
  log.info({ path: datasetPath, rows: analysis.rows, ms: Date.now() - started }, "dataset facts computed");
  return analysis.facts;
}

async function analyzeRecordingRefusal(doc: DatasetLean, file: string, datasetPath: string, field: string): Promise<CsvAnalysis> {
  try {
    return await analyzeOffThread(file);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw unreadable(doc, datasetPath, field, err);
    await Dataset.updateOne({ _id: doc._id, sha256: doc.sha256 }, { $set: { refusal: { message: err.message, fields: err.fields } } });
    throw err;
  }
}
