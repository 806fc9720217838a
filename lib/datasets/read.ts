import fs from "node:fs/promises";
import mongoose from "mongoose";
import { connectDb } from "@/lib/db";
import { ValidationError } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { boundedCache } from "@/lib/cache";
import { parseCsv, type ParsedCsv } from "@/lib/ml/csv";
import { csvFactsSchema, type CsvFacts } from "@/lib/ml/csv-facts";
import { Dataset, type DatasetFields } from "@/models/Dataset";
import type { CsvAnalysis } from "./analysis";
import { realFileInside, resolveDatasetPath, sha256Hex } from "./files";
import { analyzeOffThread } from "./off-thread";

const log = childLogger("datasets");

type DatasetLean = DatasetFields & { _id: mongoose.Types.ObjectId };

/** A finished dataset's document, or a refusal naming the field the path came from. */
async function findDataset(datasetPath: string, field: string): Promise<DatasetLean> {
  resolveDatasetPath(datasetPath, field);
  await connectDb();
  const doc = await Dataset.findOne({ path: datasetPath, state: { $ne: "pending" } }).lean<DatasetLean>();
  if (!doc) throw missing(datasetPath, field);
  return doc;
}

function missing(datasetPath: string, field: string): ValidationError {
  return new ValidationError(`The dataset "${datasetPath}" does not exist; upload it again.`, { [field]: ["no such dataset"] });
}

/** The absolute file holding a dataset's bytes: its own file, or its name for documents from before uploads had one. */
function fileOf(doc: DatasetLean, field: string): string {
  return resolveDatasetPath(doc.file ?? doc.path, field);
}

/** System messages name absolute paths: they go to the log, and the client gets a fixed sentence. */
function unreadable(datasetPath: string, field: string, err: unknown): ValidationError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR" || code === "ENAMETOOLONG") return missing(datasetPath, field);
  log.error({ path: datasetPath, err: err instanceof Error ? err.message : String(err) }, "dataset read failed");
  return new ValidationError(`The dataset "${datasetPath}" cannot be read; the server log says why.`, { [field]: ["cannot be read"] });
}

function changed(datasetPath: string, field: string): ValidationError {
  return new ValidationError(`The dataset "${datasetPath}" changed on disk since it was uploaded; upload it again.`, {
    [field]: ["its file no longer matches what was uploaded"],
  });
}

/** The CSV's text, checked against the checksum recorded at upload, with what a version records of it (lineage). */
export async function readDataset(datasetPath: string, field = "training_csv"): Promise<{ text: string; sha256: string; rows: number }> {
  return readFileOf(await findDataset(datasetPath, field), datasetPath, field);
}

async function readFileOf(doc: DatasetLean, datasetPath: string, field: string): Promise<{ text: string; sha256: string; rows: number }> {
  let data: Buffer;
  try {
    data = await fs.readFile(await realFileInside(fileOf(doc, field)));
  } catch (err) {
    throw unreadable(datasetPath, field, err);
  }
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
  const doc = await findDataset(datasetPath, field);
  let file: string;
  let stamp: string;
  try {
    file = await realFileInside(fileOf(doc, field));
    const st = await fs.stat(file);
    stamp = `${st.size}:${st.mtimeMs}`;
  } catch (err) {
    throw unreadable(datasetPath, field, err);
  }
  const known = fileContents.get(file);
  const cached = known && known.stamp === stamp && known.sha256 === doc.sha256 ? parsedTables.get(doc.sha256) : undefined;
  if (cached) return cached;
  const { text, sha256 } = await readFileOf(doc, datasetPath, field);
  fileContents.set(file, { stamp, sha256 });
  const table = parsedTables.get(sha256) ?? parseCsv(text);
  parsedTables.set(sha256, table);
  return table;
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
  let file: string;
  try {
    file = await realFileInside(fileOf(doc, field));
  } catch (err) {
    throw unreadable(datasetPath, field, err);
  }
  const started = Date.now();
  let analysis: CsvAnalysis;
  try {
    analysis = await analyzeOffThread(file);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw unreadable(datasetPath, field, err);
    await Dataset.updateOne({ _id: doc._id, sha256: doc.sha256 }, { $set: { refusal: { message: err.message, fields: err.fields } } });
    throw err;
  }
  if (analysis.sha256 !== doc.sha256) throw changed(datasetPath, field);
  await Dataset.updateOne({ _id: doc._id, sha256: doc.sha256 }, { $set: { facts: analysis.facts } });
  log.info({ path: datasetPath, rows: analysis.rows, ms: Date.now() - started }, "dataset facts computed");
  return analysis.facts;
}
