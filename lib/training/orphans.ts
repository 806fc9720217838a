import { GridFsArtifactStore, RUN_ID_PATTERN, defaultArtifactStore, type ArtifactStore } from "@/lib/artifacts";
import { config } from "@/lib/config";
import { sweepDatasetLeftovers } from "@/lib/datasets";
import { connectDb } from "@/lib/db";
import { childLogger } from "@/lib/log";
import { removeStaleTempFiles } from "@/lib/temp-files";
import { Ensemble } from "@/models/Ensemble";
import { ModelConfig } from "@/models/ModelConfig";
import { PATH_PROJECTION, artifactPaths } from "./artifact-refs";
import { sweepVersions, versionArtifactPaths } from "./versions";

const log = childLogger("artifacts-gc");

/** Files younger than this may belong to a save whose document update is still to come. */
export const ORPHAN_GRACE_MS = 60 * 60 * 1000;

/**
 * Removes artifact files that no model config, kept version or ensemble points at: what a
 * crash between writing the files and updating the document leaves behind (such
 * files are never loaded, only wasted space). Only files named like artifacts
 * and older than the grace period are touched.
 */
export async function removeOrphanArtifacts(
  opts: { store?: ArtifactStore; olderThanMs?: number; now?: number } = {},
): Promise<{ removed: string[]; kept: number }> {
  const store = opts.store ?? defaultArtifactStore();
  const cutoff = (opts.now ?? Date.now()) - (opts.olderThanMs ?? ORPHAN_GRACE_MS);
  await connectDb();
  const [models, ensembles, versions] = await Promise.all([
    ModelConfig.find({}, PATH_PROJECTION).lean(),
    Ensemble.find({}, { meta_model_artifact_path: 1, manifest_artifact_path: 1 }).lean(),
    versionArtifactPaths(),
  ]);
  const referenced = new Set<string>(
    [
      ...models.flatMap(artifactPaths),
      ...versions,
      ...ensembles.flatMap((e) => [e.meta_model_artifact_path, e.manifest_artifact_path]),
    ].filter((p): p is string => !!p),
  );
  const artifactName = new RegExp(`^${RUN_ID_PATTERN.source.replace(/^\^|\$$/g, "")}_(model|scaler|features|meta_model|manifest)\\.json$`);
  const removed: string[] = [];
  let kept = 0;
  for (const file of await store.list()) {
    if (referenced.has(file) || !artifactName.test(file.split("/").pop() ?? "")) {
      kept += 1;
      continue;
    }
    const st = await store.stat(file);
    if (!st || st.modifiedMs > cutoff) {
      kept += 1;
      continue;
    }
    await store.delete(file);
    removed.push(file);
  }
  if (removed.length > 0) log.info({ removed: removed.length, files: removed.slice(0, 20) }, "removed orphan artifacts");
  return { removed, kept };
}

/**
 * The worker's hourly sweep: versions beyond KEEP_VERSIONS, orphan artifacts, temporary files of crashed writes
 * under ARTIFACT_DIR and DATA_DIR, and abandoned upload claims, all older than an
 * hour. Each part runs even when another fails; failures are logged.
 */
export async function sweepLeftovers(opts: { now?: number } = {}): Promise<void> {
  const now = opts.now ?? Date.now();
  const parts: Array<[string, () => Promise<unknown>]> = [
    ["old versions beyond KEEP_VERSIONS", () => sweepVersions()],
    ["orphan artifacts", () => removeOrphanArtifacts({ now })],
    ["chunks of interrupted GridFS uploads", async () => {
      const store = defaultArtifactStore();
      if (store instanceof GridFsArtifactStore) await store.removeOrphanChunks(ORPHAN_GRACE_MS);
    }],
    ["artifact temporary files", async () => {
      // GridFS writes have no temporary files; only a local folder can hold them.
      if (config().artifactDir.startsWith("gridfs://")) return;
      const removed = await removeStaleTempFiles(config().artifactDir, now - ORPHAN_GRACE_MS);
      if (removed.length > 0) log.info({ removed }, "removed temporary artifact files");
    }],
    ["dataset leftovers", () => sweepDatasetLeftovers({ olderThanMs: ORPHAN_GRACE_MS, now })],
  ];
  for (const [what, run] of parts) {
    await run().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err), what }, "sweep failed"));
  }
}
