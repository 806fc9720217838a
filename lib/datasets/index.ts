import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { config } from "@/lib/config";
import { connectDb } from "@/lib/db";
import { ConflictError, PayloadTooLargeError, ValidationError } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { parseCsv } from "@/lib/ml/csv";
import { Dataset } from "@/models/Dataset";

const log = childLogger("datasets");

export interface DatasetInfo {
  path: string;
  columns: string[];
  rows: number;
  bytes: number;
  created_at: string | null;
}

const DatasetName = z
  .string()
  .trim()
  .min(1, "give the dataset a name")
  .max(80, "use at most 80 characters")
  .transform((n) => n.replace(/\.csv$/i, ""))
  .refine((n) => /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(n) && !n.includes(".."), {
    message: "use letters, digits, '.', '_' and '-' only (no folders)",
  });

/**
 * Resolves a dataset path (relative to DATA_DIR) and refuses anything that would
 * leave DATA_DIR, whatever a document or request says.
 */
export function resolveDatasetPath(datasetPath: string, field = "training_csv"): string {
  const root = config().dataDir;
  if (typeof datasetPath !== "string" || datasetPath.trim() === "" || datasetPath.includes("\0")) {
    throw new ValidationError("The dataset path is empty or invalid.", { [field]: ["choose a dataset"] });
  }
  const resolved = path.resolve(root, datasetPath);
  const rel = path.relative(root, resolved);
  if (rel.startsWith("..") || path.isAbsolute(rel) || rel === "") {
    throw new ValidationError(`The dataset path "${datasetPath}" is outside the data folder and was refused.`, {
      [field]: ["must be a dataset stored by this app (see GET /api/datasets)"],
    });
  }
  return resolved;
}

export async function readDatasetText(datasetPath: string, field = "training_csv"): Promise<string> {
  const file = resolveDatasetPath(datasetPath, field);
  try {
    const real = await fs.realpath(file);
    const root = await fs.realpath(config().dataDir).catch(() => config().dataDir);
    if (path.relative(root, real).startsWith("..")) throw new Error("link leaves the data folder");
    return await fs.readFile(real, "utf8");
  } catch (err) {
    // System messages name absolute paths: they go to the log, and the client gets a fixed sentence.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR" || code === "ENAMETOOLONG") {
      throw new ValidationError(`The dataset "${datasetPath}" does not exist; upload it again.`, {
        [field]: ["no such dataset"],
      });
    }
    log.error({ path: datasetPath, err: err instanceof Error ? err.message : String(err) }, "dataset read failed");
    throw new ValidationError(`The dataset "${datasetPath}" cannot be read; the server log says why.`, {
      [field]: ["cannot be read"],
    });
  }
}

function toInfo(rec: { path: string; columns: string[]; rows: number; bytes: number; createdAt?: Date }): DatasetInfo {
  return {
    path: rec.path,
    columns: [...rec.columns],
    rows: rec.rows,
    bytes: rec.bytes,
    created_at: rec.createdAt ? rec.createdAt.toISOString() : null,
  };
}

/**
 * Validates and stores a CSV under DATA_DIR. Nothing is written unless the CSV
 * parses; the file is written atomically and then recorded. A name already used
 * for different content is a conflict; the same content again is a no-op.
 */
export async function saveDataset(input: { name: unknown; text: string }): Promise<DatasetInfo> {
  const name = DatasetName.safeParse(input.name);
  if (!name.success) {
    throw new ValidationError("The dataset name is not valid.", { name: name.error.issues.map((i) => i.message) });
  }
  const bytes = Buffer.byteLength(input.text);
  if (bytes > config().maxUploadBytes) throw new PayloadTooLargeError(config().maxUploadBytes);
  const parsed = parseCsv(input.text);
  const relPath = `${name.data}.csv`;
  const target = resolveDatasetPath(relPath, "name");
  const sha256 = crypto.createHash("sha256").update(input.text).digest("hex");

  await connectDb();
  const existing = await Dataset.findOne({ path: relPath }).lean();
  if (existing) {
    if (existing.sha256 === sha256) return toInfo(existing);
    throw new ConflictError(`A different dataset named "${relPath}" already exists; choose another name.`);
  }

  const started = Date.now();
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = path.join(path.dirname(target), `.tmp-${crypto.randomBytes(6).toString("hex")}-${path.basename(target)}`);
  const handle = await fs.open(tmp, "w");
  try {
    await handle.writeFile(input.text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, target);
  try {
    const rec = await Dataset.create({ path: relPath, columns: parsed.columns, rows: parsed.rows.length, bytes, sha256 });
    log.info({ path: relPath, bytes, rows: parsed.rows.length, ms: Date.now() - started }, "dataset saved");
    return toInfo(rec.toObject());
  } catch (err) {
    await fs.rm(target, { force: true });
    if ((err as { code?: number }).code === 11000) {
      throw new ConflictError(`A dataset named "${relPath}" was saved at the same moment; choose another name.`);
    }
    throw err;
  }
}

export async function listDatasets(): Promise<DatasetInfo[]> {
  await connectDb();
  const recs = await Dataset.find().sort({ createdAt: -1 }).lean();
  return recs.map(toInfo);
}
