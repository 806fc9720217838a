import fs from "node:fs/promises";
import path from "node:path";

/**
 * Temporary files (".tmp-…") that atomic writes leave when the process dies
 * between writing and renaming. Nothing ever reads them; once old enough that
 * no write can still be in progress, they are only wasted space.
 */
export const TEMP_FILE_PREFIX = ".tmp-";

/** Removes temporary files under `root` last modified before `cutoffMs`; links are never followed. Returns what it removed. */
export async function removeStaleTempFiles(root: string, cutoffMs: number): Promise<string[]> {
  const removed: string[] = [];
  async function walk(dir: string): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return;
      throw err;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && entry.name.startsWith(TEMP_FILE_PREFIX)) {
        const st = await fs.lstat(full).catch(() => null);
        if (st && st.mtimeMs < cutoffMs) {
          await fs.rm(full, { force: true });
          removed.push(path.relative(root, full));
        }
      }
    }
  }
  await walk(root);
  return removed;
}
