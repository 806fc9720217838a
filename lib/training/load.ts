import {
  ArtifactError,
  ArtifactIncompatibleError,
  artifactStamps,
  assertSameFeatures,
  defaultArtifactStore,
  loadArtifact,
  type ArtifactStore,
} from "@/lib/artifacts";
import { boundedCache } from "@/lib/cache";
import { childLogger } from "@/lib/log";
import { ModelPipeline, type FeaturesPayload, type ModelPayload } from "@/lib/ml/pipeline";
import type { ScalerState } from "@/lib/ml/scaler";
import { artifactPaths, loadableRefs, missingArtifactFields, type ModelArtifactFields } from "./artifact-refs";

const log = childLogger("artifacts-load");

/** What loading needs from a model config. */
export interface ModelArtifactDoc extends ModelArtifactFields {
  _id: unknown;
  name?: string;
  features: string[];
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

/** A pipeline rebuilt from a config's artifacts, with where it came from. */
export interface LoadedModel {
  modelId: string;
  runId: string;
  pipeline: ModelPipeline;
  bytes: number;
  loadMs: number;
}

interface CacheEntry {
  model: LoadedModel;
  /** Size and modification time of each file when it was read and verified. */
  stamps: string[];
}

const cache = boundedCache<CacheEntry>("loaded-models", 64);

function cacheKey(modelId: string, doc: ModelArtifactFields): string {
  const c = doc.checksums ?? {};
  return `${modelId}:${doc.run_id}:${c.model}:${c.scaler}:${c.features}`;
}

/**
 * Loads a model from its three artifacts, verifying each (path inside the
 * artifact root, checksum, format version, run_id, feature list). Cached by
 * run_id and checksums; a cached entry is used only while a stat of each file
 * shows the size and mtime it had when verified (unless `checkFiles` is false),
 * so a deleted or rewritten file goes through full verification again.
 */
export async function loadTrainedModel(
  doc: ModelArtifactDoc,
  given?: ArtifactStore,
  opts: { checkFiles?: boolean } = {},
): Promise<LoadedModel> {
  const modelId = String(doc._id);
  const missing = missingArtifactFields(doc);
  if (missing.length > 0) throw new ModelNotTrainedError(doc.name ?? modelId, missing);
  const key = cacheKey(modelId, doc);
  const hit = cache.get(key);
  // Serving trusts what it verified (the key is the run and its checksums); builds look at the files again.
  if (hit && opts.checkFiles === false) return hit.model;
  // Only past the serving fast path: a hit needs no store.
  const store = given ?? defaultArtifactStore();
  const stamps = await artifactStamps(store, artifactPaths(doc));
  if (hit && stamps.every((s, i) => s === hit.stamps[i])) return hit.model;

  const t0 = performance.now();
  const runId = doc.run_id as string;
  const refs = loadableRefs(doc);
  const [m, s, f] = await Promise.all([
    loadArtifact<ModelPayload>(store, refs.model),
    loadArtifact<ScalerState>(store, refs.scaler),
    loadArtifact<FeaturesPayload>(store, refs.features),
  ]);
  assertSameFeatures(doc.features, f.payload.features, refs.features.path);
  let pipeline: ModelPipeline;
  try {
    pipeline = ModelPipeline.fromArtifacts({ model: m.payload, scaler: s.payload, features: f.payload });
  } catch (err) {
    throw new ArtifactIncompatibleError(
      refs.model.path,
      `model "${doc.name ?? modelId}" run ${runId} cannot be rebuilt: ${(err as Error).message}`,
      "model",
    );
  }
  const loaded: LoadedModel = { modelId, runId, pipeline, bytes: m.bytes + s.bytes + f.bytes, loadMs: performance.now() - t0 };
  cache.set(key, { model: loaded, stamps });
  log.info({ model_id: modelId, run_id: runId, bytes: loaded.bytes, ms: Math.round(loaded.loadMs) }, "model loaded from artifacts");
  return loaded;
}
