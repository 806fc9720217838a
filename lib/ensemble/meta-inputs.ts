import { boundedCache } from "@/lib/cache";
import { toNumericMatrix, type MatrixSpec, type NumericMatrix, type ParsedCsv } from "@/lib/ml/csv";
import { columnSource } from "@/lib/ml/matrix";
import type { ObtainedBaseModel } from "./base-models";

/**
 * What the meta-model is fitted on, kept between builds by content: the meta
 * rows as numbers per dataset checksum and column choice, and each base model's
 * probabilities on them per run (run_id and artifact checksums, as verified on
 * load), dataset checksum and feature list. A rebuild over the same meta CSV and
 * base model versions converts and scores nothing; a retrained or promoted base
 * model has another run_id and a changed dataset another checksum, so they
 * miss. A model just retrained on the slow path is scored and not kept: the
 * next build loads it from its artifacts and keys it by their checksums.
 */
const matrices = boundedCache<NumericMatrix>("meta-matrices", 8);
const baseScores = boundedCache<number[]>("meta-base-scores", 64);

/** The meta rows as numbers, refused as toNumericMatrix refuses them (the same content and columns give the same refusal). */
export function metaMatrix(table: ParsedCsv, sha256: string, spec: MatrixSpec): NumericMatrix {
  const key = JSON.stringify([sha256, spec.features, spec.target]);
  const hit = matrices.get(key);
  if (hit) return hit;
  const matrix = toNumericMatrix(table, spec);
  matrices.set(key, matrix);
  return matrix;
}

function scoresKey(base: ObtainedBaseModel, sha256: string): string | null {
  if (!base.checksums) return null;
  const { model, scaler, features } = base.checksums;
  return JSON.stringify([base.modelId, base.runId, model, scaler, features, sha256, base.pipeline.features]);
}

/** Each base model's P(target = 1) on every meta row, in base order; `features` names the matrix's columns. */
export function metaScores(bases: readonly ObtainedBaseModel[], sha256: string, matrix: NumericMatrix, features: string[]): number[][] {
  const source = columnSource(matrix.X, features);
  return bases.map((base) => {
    const key = scoresKey(base, sha256);
    const hit = key === null ? undefined : baseScores.get(key);
    if (hit) return hit;
    const scores = base.pipeline.predictProba(source(base.pipeline.features));
    if (key !== null) baseScores.set(key, scores);
    return scores;
  });
}
