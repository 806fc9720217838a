import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { config } from "@/lib/config";
import { ValidationError } from "@/lib/errors";
import { TEMP_FILE_PREFIX } from "@/lib/temp-files";

/**
 * Where dataset bytes live under DATA_DIR, and the checks every path goes
 * through before it touches the filesystem.
 */


/**
 * Each upload stores its bytes under a name of its own, `<name>~<document id>.csv`.
 * "~" cannot occur in a dataset name, so these never collide with a name, and two
 * uploads never write the same file.
 */
export function storedFileName(name: string, id: string): string {
  return `${name}~${id}.csv`;
}

export const STORED_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]*~[a-f0-9]{24}\.csv$/;

export function temporaryFile(): string {
  return path.join(config().dataDir, `${TEMP_FILE_PREFIX}${crypto.randomBytes(8).toString("hex")}.csv`);
}

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

/** The real location of a stored file, refusing a symbolic link that leads out of DATA_DIR. */
export async function realFileInside(file: string): Promise<string> {
  const real = await fs.realpath(file);
  const root = await fs.realpath(config().dataDir).catch(() => config().dataDir);
  const rel = path.relative(root, real);
  if (rel.startsWith("..") || path.isAbsolute(rel)) throw Object.assign(new Error("the file is a link that leaves the data folder"), { code: "EXDEV_LINK" });
  return real;
}

/** Without this a rename may not survive a power cut, even though the file's bytes would. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch (err) {
    // Some platforms and filesystems cannot open or fsync a directory; the rename has still happened.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EINVAL" && code !== "EPERM" && code !== "EBADF" && code !== "ENOTSUP") throw err;
  } finally {
    await handle?.close();
  }
}

export function sha256Hex(data: Buffer): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}
