import { boundedCache } from "@/lib/cache";
import type { VerifiedDataset } from "@/lib/datasets";
import { decodeColumns, derivedCache, encodeColumns } from "@/lib/derived-cache";
import { toNumericMatrix, type NumericMatrix } from "@/lib/ml/csv";
import { columnSource, type ColumnSource } from "@/lib/ml/matrix";
import type { ObtainedBaseModel } from "./base-models";
import { holdoutColumns, type HoldoutColumns } from "./holdout";

/**
 * What the meta-model is fitted on, kept between builds by content: per meta
 * CSV checksum and column choice, the target as numbers and the columns the
 * holdout summary reads; per base model run (run_id and artifact checksums, as
 * verified on load), dataset checksum and feature list, the model's
 * probabilities on every meta row. Kept in memory, and on this node's disk
 * (lib/derived-cache.ts) so a new process finds them too: a build over the same
 * meta CSV and base model versions parses, converts and scores nothing. A
 * retrained or promoted base model has another run_id and a changed dataset
 * another checksum, so they miss. A model just retrained on the slow path is
 * scored and not kept: the next build loads it from its artifacts and keys it
 * by their checksums.
 */
interface MetaRows {
  y: number[];
  columns: HoldoutColumns;
}

const rowsInMemory = boundedCache<MetaRows>("meta-rows", 8);
const matrices = boundedCache<NumericMatrix>("meta-matrices", 8);
const scoresInMemory = boundedCache<number[]>("meta-base-scores", 64);
const rowsOnDisk = derivedCache("meta-rows");
const scoresOnDisk = derivedCache("meta-scores");

export interface MetaInputs {
  y: number[];
  /** Each base model's P(target = 1) on every meta row, in base order. */
  scores: number[][];
  columns: HoldoutColumns;
}

/**
 * The meta rows' target and holdout columns and each base model's
 * probabilities on them; `features` names every column the base models read.
 * The CSV is parsed and converted only for what is not kept, and refused as
 * toNumericMatrix refuses it (the same content and columns give the same
 * refusal, so what is kept was converted without one).
 */
export async function metaInputs(content: VerifiedDataset, bases: readonly ObtainedBaseModel[], features: string[], target: string): Promise<MetaInputs> {
  const rowsKey = JSON.stringify([content.sha256, features, target]);
  let source: ColumnSource | null = null;
  const matrix = async (): Promise<NumericMatrix> => {
    const hit = matrices.get(rowsKey);
    if (hit) return hit;
    const converted = toNumericMatrix(await content.table(), { features, target });
    matrices.set(rowsKey, converted);
    return converted;
  };
  const writes: Array<Promise<void>> = [];

  // What is kept, looked up at once (on disk, each a file read).
  const [keptRows, kept] = await Promise.all([
    rowsInMemory.get(rowsKey) ?? readRows(rowsOnDisk.get(rowsKey)),
    Promise.all(
      bases.map(async (base) => {
        const key = scoresKey(base, content.sha256);
        return { key, p: key === null ? null : (scoresInMemory.get(key) ?? (await readScores(scoresOnDisk.get(key)))) };
      }),
    ),
  ]);
  let rows = keptRows;
  if (!rows) {
    rows = { y: (await matrix()).y, columns: holdoutColumns(await content.table()) };
    writes.push(rowsOnDisk.set(rowsKey, encodeRows(rows)));
  }
  rowsInMemory.set(rowsKey, rows);

  const scores: number[][] = [];
  for (const [j, base] of bases.entries()) {
    const { key } = kept[j];
    let p = kept[j].p?.length === rows.y.length ? kept[j].p : null;
    if (!p) {
      source ??= columnSource((await matrix()).X, features);
      p = base.pipeline.predictProba(source(base.pipeline.features));
      if (key !== null) writes.push(scoresOnDisk.set(key, encodeColumns({ p: Float64Array.from(p) })));
    }
    if (key !== null) scoresInMemory.set(key, p);
    scores.push(p);
  }
  await Promise.all(writes);
  return { y: rows.y, scores, columns: rows.columns };
}

function scoresKey(base: ObtainedBaseModel, sha256: string): string | null {
  if (!base.checksums) return null;
  const { model, scaler, features } = base.checksums;
  return JSON.stringify([base.modelId, base.runId, model, scaler, features, sha256, base.pipeline.features]);
}

const BASELINE_PREFIX = "baseline:";

function encodeRows(rows: MetaRows): Buffer {
  const columns: Record<string, Float64Array> = { y: Float64Array.from(rows.y) };
  if (rows.columns.season) columns.season = rows.columns.season;
  for (const b of rows.columns.baselines) columns[BASELINE_PREFIX + b.column] = b.values;
  return encodeColumns(columns);
}

async function readRows(pending: Promise<Buffer | null>): Promise<MetaRows | null> {
  const data = await pending;
  const columns = data && decodeColumns(data);
  if (!columns?.y) return null;
  const n = columns.y.length;
  if (Object.values(columns).some((c) => c.length !== n)) return null;
  const baselines = Object.entries(columns)
    .filter(([name]) => name.startsWith(BASELINE_PREFIX))
    .map(([name, values]) => ({ column: name.slice(BASELINE_PREFIX.length), values }));
  return { y: Array.from(columns.y), columns: { season: columns.season ?? null, baselines } };
}

async function readScores(pending: Promise<Buffer | null>): Promise<number[] | null> {
  const data = await pending;
  const p = data ? decodeColumns(data)?.p : undefined;
  return p ? Array.from(p) : null;
}
