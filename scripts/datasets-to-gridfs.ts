/**
 * npm run datasets:to-gridfs
 *
 * Moves the datasets this node holds in its DATA_DIR into the database's GridFS
 * bucket, for a deployment whose nodes share no disk (ARTIFACT_DIR=gridfs://…).
 * Run it with the cluster's MONGODB_URI and ARTIFACT_DIR on every node that
 * received uploads. Each dataset is checked against its recorded SHA-256 and
 * read back before its document points at the copy. Exit codes: 0 done, 1 a
 * dataset did not verify (it stayed where it was).
 */
import { config } from "@/lib/config";
import { moveFolderDatasetsToGridFs } from "@/lib/datasets";
import { disconnectDb } from "@/lib/db";

async function main(): Promise<number> {
  config();
  const report = await moveFolderDatasetsToGridFs((path, outcome) => console.error(`[datasets] ${outcome.padEnd(17)} ${path}`));
  console.error(`[datasets] ${report.moved.length} moved into the database, ${report.absent.length} not on this node, ${report.refused.length} refused.`);
  for (const r of report.refused) console.error(`[datasets] NOT MOVED ${r.path}: ${r.reason}`);
  if (report.absent.length > 0) console.error("[datasets] Run this on the node(s) that received the datasets listed as not on this node.");
  return report.refused.length === 0 ? 0 : 1;
}

main()
  .then((code) => (process.exitCode = code))
  .catch((err: unknown) => {
    console.error(`[datasets] failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => disconnectDb());
