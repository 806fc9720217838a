import { LocalArtifactStore, type ArtifactStore } from "@/lib/artifacts";
import { saveDataset, type DatasetInfo } from "@/lib/datasets";
import { syntheticCsv } from "@/lib/ml/synthetic";
import { ModelConfig } from "@/models/ModelConfig";

export async function saveSyntheticDataset(name: string, rows = 300, seed = 7): Promise<DatasetInfo> {
  return saveDataset({ name, text: syntheticCsv(rows, seed) });
}

export const SMALL_FOREST = { n_estimators: 6, max_depth: 4, max_samples: 120 };

/** Every training run (succeeded or failed) recorded on these models, by id: unchanged means nothing was trained. */
export async function trainingRunsOf(ids: string[]): Promise<Record<string, number>> {
  const docs = await ModelConfig.find({ _id: { $in: ids } }, { history: 1 }).lean();
  return Object.fromEntries(docs.map((d) => [String(d._id), d.history.length]));
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
