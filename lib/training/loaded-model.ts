import {
  ArtifactError,
  ArtifactIncompatibleError,
  assertSameFeatures,
  defaultArtifactStore,
  loadArtifact,
  type ArtifactStore,
} from "@/lib/artifacts";
import { childLogger } from "@/lib/log";
import { classifierFromJSON, type Classifier } from "@/lib/ml/algorithms";
import { applyPlatt } from "@/lib/ml/calibration";
import { StandardScaler, type ScalerState } from "@/lib/ml/scaler";
import type { FeaturesPayload, ModelPayload } from "./train";

const log = childLogger("artifacts-load");

/** The artifact fields of a model config, as stored. */
export interface ModelArtifactRefs {
  _id: unknown;
  name?: string;
  features: string[];
  run_id?: string | null;
  model_artifact_path?: string | null;
  scaler_artifact_path?: string | null;
  features_path?: string | null;
  checksums?: { model?: string | null; scaler?: string | null; features?: string | null } | null;
}

/** The config records no artifacts at all: it was never trained (or its last save never completed). */
export class ModelNotTrainedError extends ArtifactError {
  readonly missingFields: string[];
  constructor(modelName: string, missingFields: string[]) {
    super(`Model "${modelName}" has no saved artifacts (${missingFields.join(", ")} not set); train it first.`, "", "model");
    this.name = "ModelNotTrainedError";
    this.missingFields = missingFields;
  }
}

/** A model rebuilt from its artifacts, ready to predict. */
export interface LoadedModel {
  modelId: string;
  runId: string;
  features: string[];
  target: string;
  bytes: number;
  loadMs: number;
  /** P(target = 1) for rows whose columns are in `features` order. */
  predictProba(X: number[][]): number[];
}

const CACHE_LIMIT = 64;
interface CacheEntry {
  model: LoadedModel;
  /** Size and modification time of each file when it was read and verified. */
  stamps: string[];
}
const cache = ((globalThis as unknown as { __loadedModels?: Map<string, CacheEntry> }).__loadedModels ??= new Map());

/**
 * Cheap proof that the files are still the ones that were verified: size and
 * mtime from stat, no content read. A deleted or rewritten file misses the
 * cache and goes through full verification again.
 */
async function stampsOf(store: ArtifactStore, paths: string[]): Promise<string[]> {
  return Promise.all(
    paths.map(async (p) => {
      const st = await store.stat(p).catch(() => null);
      return st ? `${st.bytes}:${st.modifiedMs}` : "absent";
    }),
  );
}

function cacheKey(doc: ModelArtifactRefs): string {
  const c = doc.checksums ?? {};
  return `${doc.run_id}:${c.model}:${c.scaler}:${c.features}`;
}

/** Number of artifact reads since start; tests use it to prove a cached load reads nothing. */
export const loadCounter = { reads: 0 };

export function clearLoadedModelCache(): void {
  cache.clear();
}

/**
 * Loads a model from its three artifacts, verifying each (path inside the
 * artifact root, checksum, format version, run_id, feature list). Cached in
 * memory by run_id and checksums: a second call reads nothing from disk.
 */
export async function loadTrainedModel(doc: ModelArtifactRefs, store: ArtifactStore = defaultArtifactStore()): Promise<LoadedModel> {
  const modelId = String(doc._id);
  const missing = (["model_artifact_path", "scaler_artifact_path", "features_path", "run_id"] as const).filter((k) => !doc[k]);
  if (missing.length > 0) {
    throw new ModelNotTrainedError(doc.name ?? modelId, missing);
  }
  const key = cacheKey(doc);
  const paths = [doc.model_artifact_path, doc.scaler_artifact_path, doc.features_path] as string[];
  const stamps = await stampsOf(store, paths);
  const hit = cache.get(key);
  if (hit && hit.model.modelId === modelId) {
    if (stamps.every((s, i) => s === hit.stamps[i])) return hit.model;
    cache.delete(key);
  }

  const t0 = performance.now();
  const runId = doc.run_id as string;
  const c = doc.checksums ?? {};
  const [m, s, f] = await Promise.all([
    loadArtifact<ModelPayload>(store, { path: doc.model_artifact_path as string, sha256: c.model ?? undefined, kind: "model", run_id: runId }),
    loadArtifact<ScalerState>(store, { path: doc.scaler_artifact_path as string, sha256: c.scaler ?? undefined, kind: "scaler", run_id: runId }),
    loadArtifact<FeaturesPayload>(store, { path: doc.features_path as string, sha256: c.features ?? undefined, kind: "features", run_id: runId }),
  ]);
  loadCounter.reads += 3;
  assertSameFeatures(doc.features, f.payload.features, doc.features_path as string);
  let classifier: Classifier;
  let scaler: StandardScaler;
  try {
    classifier = classifierFromJSON(m.payload.classifier);
    scaler = StandardScaler.fromJSON(s.payload);
  } catch (err) {
    throw new ArtifactIncompatibleError(
      doc.model_artifact_path as string,
      `model "${doc.name ?? modelId}" run ${runId} cannot be rebuilt: ${(err as Error).message}`,
      "model",
    );
  }
  const calibration = m.payload.calibration;
  const loaded: LoadedModel = {
    modelId,
    runId,
    features: [...f.payload.features],
    target: f.payload.target,
    bytes: m.bytes + s.bytes + f.bytes,
    loadMs: performance.now() - t0,
    predictProba(X) {
      const raw = classifier.predictProba(scaler.transform(X));
      return calibration ? applyPlatt(calibration, raw) : raw;
    },
  };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, { model: loaded, stamps });
  log.info({ model_id: modelId, run_id: runId, bytes: loaded.bytes, ms: Math.round(loaded.loadMs) }, "model loaded from artifacts");
  return loaded;
}
