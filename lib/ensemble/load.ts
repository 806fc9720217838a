import mongoose from "mongoose";
import { defaultArtifactStore, loadArtifact, type ArtifactStore } from "@/lib/artifacts";
import { boundedCache } from "@/lib/cache";
import { findByIds } from "@/lib/db";
import { ConflictError } from "@/lib/errors";
import type { ModelPipeline } from "@/lib/ml/pipeline";
import { predictBody } from "@/lib/ml/scoring-thread";
import { StackedEnsemble } from "@/lib/ml/stacking";
import { loadTrainedModel } from "@/lib/training/load";
import { servingStamp } from "@/lib/stamped-cache";
import { servingHead } from "@/lib/training/serving";
import { modelServingHead } from "@/lib/training/service";
import { Ensemble } from "@/models/Ensemble";
import { ModelConfig, type ModelConfigLean } from "@/models/ModelConfig";
import type { ManifestPayload, MetaModelPayload } from "./build";
import { findEnsemble, toEnsembleView, type EnsembleLean } from "./service";

/** An ensemble rebuilt from its artifacts: meta-model plus the exact base model runs it was fitted on. */
export interface LoadedEnsemble {
  ensembleId: string;
  runId: string;
  stack: StackedEnsemble<ModelPipeline>;
  /** The base model runs it was fitted on (its manifest). */
  baseRuns: Array<{ modelId: string; runId: string }>;
}

const cache = boundedCache<LoadedEnsemble>("loaded-ensembles", 32);

/** A build's identity: its run and its artifacts' checksums. */
function cacheKey(doc: Pick<EnsembleLean, "_id" | "run_id" | "checksums">): string {
  return `${String(doc._id)}:${doc.run_id}:${doc.checksums?.meta_model}:${doc.checksums?.manifest}`;
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
  const bases = await findByIds<ModelConfigLean>(ModelConfig, doc.base_model_ids);
  const view = toEnsembleView(doc, bases);
  if (view.stale) {
    const names = view.stale_models.map((m) => `"${m.name ?? m.model_id}"`).join(", ");
    const what = names ? `base model ${names} changed` : "a base model changed";
    throw new ConflictError(`Ensemble "${doc.name}" is stale: ${what} since it was built. Rebuild the ensemble before predicting.`);
  }
  const key = cacheKey(doc);
  const hit = cache.get(key);
  if (hit) return hit;

  const [meta, manifest] = await Promise.all([
    loadArtifact<MetaModelPayload>(store, { path: doc.meta_model_artifact_path, sha256: doc.checksums?.meta_model ?? undefined, kind: "meta_model", run_id: doc.run_id }),
    loadArtifact<ManifestPayload>(store, { path: doc.manifest_artifact_path, sha256: doc.checksums?.manifest ?? undefined, kind: "manifest", run_id: doc.run_id }),
  ]);
  const byId = new Map(bases.map((b) => [String(b._id), b]));
  const pipelines: ModelPipeline[] = [];
  for (const entry of manifest.payload.base) {
    const base = byId.get(entry.model_id);
    if (!base || base.run_id !== entry.run_id) {
      throw new ConflictError(`Ensemble "${doc.name}" is stale: base model "${entry.name}" changed since it was built. Rebuild the ensemble.`);
    }
    pipelines.push((await loadTrainedModel(base, store)).pipeline);
  }
  const loaded: LoadedEnsemble = {
    ensembleId: String(doc._id),
    runId: doc.run_id,
    stack: StackedEnsemble.restore(pipelines, meta.payload.classifier),
    baseRuns: manifest.payload.base.map((b) => ({ modelId: b.model_id, runId: b.run_id })),
  };
  cache.set(key, loaded);
  return loaded;
}

/**
 * Serves predictions from the ensemble's stale flag and build identity and its
 * base models' current runs, all read as fresh as the request (see
 * servingHead: on a warm process that costs one shared read of the serving
 * stamp). A build already in memory answers at once while every base model is
 * still on the run it was fitted on; anything else (a cold process, a stale or
 * unbuilt ensemble) takes the full load, which checks every base model and
 * says why it refuses. The base models are looked at, not only the flag: a
 * retrain marks the ensemble stale just before it moves the model, and a build
 * of the ensemble ending between the two clears the mark.
 */
export async function predictWithEnsemble(id: string, input: unknown): Promise<{ probabilities: number[]; run_id: string }> {
  // As predictWithModel: `input` may still be arriving, and the stamp's read goes out first. It is the parsed body,
  // or its bytes (JsonBytes), which predictBody may read in two halves at once while the stamp's read is out.
  const stamp = mongoose.isValidObjectId(id) ? servingStamp() : null;
  const body = await input;
  const resolve = async (): Promise<LoadedEnsemble> => {
    const head = stamp ? await servingHead(`ensemble:${id}`, () => Ensemble.findById(id, { run_id: 1, checksums: 1, stale: 1 }).lean(), stamp) : null;
    let hit = head?.run_id && !head.stale ? cache.get(cacheKey(head)) : undefined;
    if (hit && stamp && !(await basesStillCurrent(hit, stamp))) hit = undefined;
    return hit ?? (await loadEnsemble(await findEnsemble(id)));
  };
  const { probabilities, resolved } = await predictBody(body, `ensemble:${id}`, resolve, (e) => e.stack, "The request is not valid.");
  return { probabilities, run_id: resolved.runId };
}

async function basesStillCurrent(ensemble: LoadedEnsemble, stamp: Promise<string>): Promise<boolean> {
  const heads = await Promise.all(ensemble.baseRuns.map((b) => modelServingHead(b.modelId, stamp)));
  return heads.every((h, i) => h?.run_id === ensemble.baseRuns[i].runId);
}
