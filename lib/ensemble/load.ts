import { defaultArtifactStore, loadArtifact, type ArtifactStore } from "@/lib/artifacts";
import { ConflictError, ValidationError, fieldErrorsFromZod } from "@/lib/errors";
import { classifierFromJSON, type Classifier } from "@/lib/ml/algorithms";
import { loadTrainedModel, type LoadedModel } from "@/lib/training/loaded-model";
import { PredictInput } from "@/lib/training/schemas";
import { rowsToMatrix } from "@/lib/training/service";
import { ModelConfig } from "@/models/ModelConfig";
import type { ManifestPayload, MetaModelPayload } from "./build";
import { findEnsemble, toEnsembleView, type EnsembleLean } from "./service";

/** An ensemble rebuilt from its artifacts: meta-model plus the exact base model runs it was fitted on. */
export interface LoadedEnsemble {
  ensembleId: string;
  runId: string;
  features: string[];
  bases: LoadedModel[];
  meta: Classifier;
  predictProba(rows: Array<Record<string, number>>): number[];
}

const cache = ((globalThis as unknown as { __loadedEnsembles?: Map<string, LoadedEnsemble> }).__loadedEnsembles ??= new Map());

export function clearLoadedEnsembleCache(): void {
  cache.clear();
}

/**
 * Loads an ensemble from its saved artifacts, never retraining anything. A base
 * model retrained since the build makes the ensemble stale: ConflictError (409)
 * asking for a rebuild instead of silently mixing model runs.
 */
export async function loadEnsemble(doc: EnsembleLean, store: ArtifactStore = defaultArtifactStore()): Promise<LoadedEnsemble> {
  if (!doc.run_id || !doc.meta_model_artifact_path || !doc.manifest_artifact_path) {
    throw new ConflictError(`Ensemble "${doc.name}" has not been built yet; train it first.`);
  }
  const bases = await ModelConfig.find({ _id: { $in: doc.base_model_ids } }).lean();
  const view = toEnsembleView(doc, bases);
  if (view.stale) {
    const names = view.stale_models.map((m) => `"${m.name ?? m.model_id}"`).join(", ");
    throw new ConflictError(
      `Ensemble "${doc.name}" is stale: base model ${names} changed since it was built. Rebuild the ensemble before predicting.`,
    );
  }
  const key = `${doc.run_id}:${doc.checksums?.meta_model}:${doc.checksums?.manifest}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const [meta, manifest] = await Promise.all([
    loadArtifact<MetaModelPayload>(store, { path: doc.meta_model_artifact_path, sha256: doc.checksums?.meta_model ?? undefined, kind: "meta_model", run_id: doc.run_id }),
    loadArtifact<ManifestPayload>(store, { path: doc.manifest_artifact_path, sha256: doc.checksums?.manifest ?? undefined, kind: "manifest", run_id: doc.run_id }),
  ]);
  const byId = new Map(bases.map((b) => [String(b._id), b]));
  const loadedBases: LoadedModel[] = [];
  for (const entry of manifest.payload.base) {
    const base = byId.get(entry.model_id);
    if (!base || base.run_id !== entry.run_id) {
      throw new ConflictError(`Ensemble "${doc.name}" is stale: base model "${entry.name}" changed since it was built. Rebuild the ensemble.`);
    }
    loadedBases.push(await loadTrainedModel(base, store));
  }
  const classifier = classifierFromJSON(meta.payload.classifier);
  const features = [...new Set(loadedBases.flatMap((b) => b.features))];
  const loaded: LoadedEnsemble = {
    ensembleId: String(doc._id),
    runId: doc.run_id,
    features,
    bases: loadedBases,
    meta: classifier,
    predictProba(rows) {
      const perBase = loadedBases.map((b) => b.predictProba(rowsToMatrix(rows.map((r) => pick(r, b.features)), b.features)));
      return classifier.predictProba(rows.map((_, i) => perBase.map((p) => p[i])));
    },
  };
  cache.set(key, loaded);
  return loaded;
}

function pick(row: Record<string, number>, keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) if (k in row) out[k] = row[k];
  return out;
}

export async function predictWithEnsemble(id: string, input: unknown): Promise<{ probabilities: number[]; run_id: string }> {
  const parsed = PredictInput.safeParse(input);
  if (!parsed.success) throw new ValidationError("The request is not valid.", fieldErrorsFromZod(parsed.error.issues));
  const doc = await findEnsemble(id);
  const ensemble = await loadEnsemble(doc);
  rowsToMatrix(parsed.data.rows, ensemble.features); // every row must carry exactly the features the base models use
  return { probabilities: ensemble.predictProba(parsed.data.rows), run_id: ensemble.runId };
}
