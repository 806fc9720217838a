import fs from "node:fs/promises";
import path from "node:path";
import { config } from "@/lib/config";
import { connectDb } from "@/lib/db";
import { childLogger } from "@/lib/log";
import { removeStaleTempFiles } from "@/lib/temp-files";
import { Dataset } from "@/models/Dataset";
import { STORED_FILE, resolveDatasetPath } from "./files";

const log = childLogger("datasets-gc");

/**
 * What crashed uploads leave under DATA_DIR, once older than `olderThanMs`:
 * temporary files, pending claims (with the file only that upload wrote), and
 * stored files no document points at. Datasets in use are never touched.
 */
export async function sweepDatasetLeftovers(opts: { olderThanMs: number; now?: number }): Promise<{ temporary: string[]; claims: string[]; files: string[] }> {
  const cutoff = (opts.now ?? Date.now()) - opts.olderThanMs;
  const root = config().dataDir;
  const temporary = await removeStaleTempFiles(root, cutoff);

  await connectDb();
  const claims: string[] = [];
  for (const claim of await Dataset.find({ state: "pending", updatedAt: { $lt: new Date(cutoff) } }, { path: 1, file: 1 }).lean()) {
    const res = await Dataset.deleteOne({ _id: claim._id, state: "pending" });
    if (res.deletedCount !== 1) continue;
    if (claim.file) await fs.rm(resolveDatasetPath(claim.file, "file"), { force: true });
    claims.push(claim.path);
  }

  const referenced = new Set((await Dataset.find({}, { file: 1 }).lean()).map((d) => d.file).filter((f): f is string => !!f));
  const files: string[] = [];
  const names = await fs.readdir(root).catch(() => [] as string[]);
  for (const name of names) {
    if (!STORED_FILE.test(name) || referenced.has(name)) continue;
    const full = path.join(root, name);
    const st = await fs.lstat(full).catch(() => null);
    if (!st?.isFile() || st.mtimeMs >= cutoff) continue;
    await fs.rm(full, { force: true });
    files.push(name);
  }
  if (temporary.length + claims.length + files.length > 0) log.info({ temporary, claims, files }, "removed what crashed uploads left");
  return { temporary, claims, files };
}
