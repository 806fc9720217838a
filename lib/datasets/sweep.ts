import { config } from "@/lib/config";
import { connectDb } from "@/lib/db";
import { childLogger } from "@/lib/log";
import { removeStaleTempFiles } from "@/lib/temp-files";
import { Dataset } from "@/models/Dataset";
import { datasetBytesAt, isGridFs, sweptBytes } from "./bytes";
import { removeUnusedDatasetCopies } from "./read";

const log = childLogger("datasets-gc");

/**
 * What crashed uploads leave, once older than `olderThanMs`: temporary files
 * under this node's DATA_DIR, pending claims (with the file only that upload
 * wrote), stored files no document points at (in DATA_DIR and, when uploads go
 * to GridFS, in its bucket), GridFS chunks whose file never came, and this
 * node's copies of datasets since deleted (after their own grace). Datasets
 * in use are never touched. Several workers may sweep at once: every removal
 * is of something no document will ever point at again.
 */
export async function sweepDatasetLeftovers(opts: { olderThanMs: number; now?: number }): Promise<{ temporary: string[]; claims: string[]; files: string[]; copies: string[] }> {
  const cutoff = (opts.now ?? Date.now()) - opts.olderThanMs;
  const temporary = await removeStaleTempFiles(config().dataDir, cutoff);

  await connectDb();
  const claims: string[] = [];
  for (const claim of await Dataset.find({ state: "pending", updatedAt: { $lt: new Date(cutoff) } }, { path: 1, file: 1, store: 1 }).lean()) {
    const res = await Dataset.deleteOne({ _id: claim._id, state: "pending" });
    if (res.deletedCount !== 1) continue;
    if (claim.file) await datasetBytesAt(claim.store).remove(claim.file);
    claims.push(claim.path);
  }

  const files: string[] = [];
  for (const bytes of sweptBytes()) {
    // Listed before the documents are read: a file stored after this listing is not considered at all.
    const stored = await bytes.list();
    const referenced = new Set((await Dataset.find({ store: bytes.location ?? null }, { file: 1 }).lean()).map((d) => d.file).filter((f): f is string => !!f));
    for (const { file, modifiedMs } of stored) {
      if (referenced.has(file) || modifiedMs >= cutoff) continue;
      await bytes.remove(file);
      files.push(bytes.location ? `${bytes.location}/${file}` : file);
    }
    if (isGridFs(bytes)) await bytes.removeOrphanChunks(cutoff);
  }
  const copies = await removeUnusedDatasetCopies(opts.now);
  if (temporary.length + claims.length + files.length > 0) log.info({ temporary, claims, files }, "removed what crashed uploads left");
  return { temporary, claims, files, copies };
}
