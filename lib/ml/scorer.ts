import type { SerializedClassifier } from "./algorithms";
import { columnSource } from "./matrix";
import { ModelPipeline, type PipelineArtifacts } from "./pipeline";
import { StackedEnsemble } from "./stacking";

/**
 * What serving scores a request's rows with: a model's pipeline, or an
 * ensemble's stack. Either takes a matrix whose columns are in its `features`
 * order, and either travels to another thread as its saved payloads.
 */
export type Scorer = ModelPipeline | StackedEnsemble<ModelPipeline>;

export type ScorerState =
  | { kind: "pipeline"; pipeline: PipelineArtifacts }
  | { kind: "stack"; bases: PipelineArtifacts[]; meta: SerializedClassifier };

/** P(target = 1) for rows whose columns are in `scorer.features` order. */
export function scoreMatrix(scorer: Scorer, X: number[][]): number[] {
  return scorer instanceof ModelPipeline ? scorer.predictProba(X) : scorer.predictProba(columnSource(X, scorer.features));
}

export function scorerState(scorer: Scorer): ScorerState {
  if (scorer instanceof ModelPipeline) return { kind: "pipeline", pipeline: scorer.toArtifacts() };
  return { kind: "stack", bases: scorer.bases.map((b) => b.toArtifacts()), meta: scorer.meta.toJSON() };
}

/** The scorer a state was taken from, predicting the same bits (the artifacts' own round trip). */
export function scorerFromState(state: ScorerState): Scorer {
  if (state.kind === "pipeline") return ModelPipeline.fromArtifacts(state.pipeline);
  return StackedEnsemble.restore(state.bases.map((b) => ModelPipeline.fromArtifacts(b)), state.meta);
}
