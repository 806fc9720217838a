import { LocalArtifactStore, type ArtifactStore } from "@/lib/artifacts";
import { saveDataset, type DatasetInfo } from "@/lib/datasets";
import { syntheticCsv } from "@/lib/ml/synthetic";
import { ModelVersion } from "@/models/ModelVersion";

export async function saveSyntheticDataset(name: string, rows = 300, seed = 7): Promise<DatasetInfo> {
  return saveDataset({ name, text: syntheticCsv(rows, seed) });
}

export const SMALL_FOREST = { n_estimators: 6, max_depth: 4, max_samples: 120 };

/** Every training run (succeeded or failed) recorded for these models, by id: unchanged means nothing was trained. */
export async function trainingRunsOf(ids: string[]): Promise<Record<string, number>> {
  return Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await ModelVersion.countDocuments({ model_id: id })] as const)));
}

/** A local store that records every path it reads, to prove a cached path reads nothing. */
export function countingStore(root: string): { store: ArtifactStore; reads: () => string[] } {
  const inner = new LocalArtifactStore(root);
  const seen: string[] = [];
  const store: ArtifactStore = {
    root: inner.root,
    write: (p, data) => inner.write(p, data),
    read: (p) => {
      seen.push(p);
      return inner.read(p);
    },
    stat: (p) => inner.stat(p),
    delete: (p) => inner.delete(p),
    list: (prefix) => inner.list(prefix),
  };
  return { store, reads: () => [...seen] };
}

/** A model's recorded runs (its versions and failed runs), oldest first. */
export async function runsOf(modelId: string): Promise<Array<{ run_id: string; status: string; trigger: string; error: string | null }>> {
  const docs = await ModelVersion.find({ model_id: modelId }).sort({ started_at: 1 }).lean();
  return docs.map((d) => ({ run_id: d.run_id, status: d.status, trigger: d.trigger, error: d.error ?? null }));
}
