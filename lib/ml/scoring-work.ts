import { LRUCache } from "lru-cache";
import { ValidationError } from "@/lib/errors";
import { predictRowsFromPart, rowsToMatrix } from "./matrix";
import { scoreMatrix, scorerFromState, type Scorer, type ScorerState } from "./scorer";

/**
 * What the scoring thread is asked: keep a scorer under a key, score rows with one it keeps, or read rows from
 * part of a predict body and score them (`json` holds the rows' text, comma-separated, without the brackets).
 */
export type ScoringRequest =
  | { op: "load"; key: string; state: ScorerState }
  | { op: "score"; key: string; width: number; values: Float64Array }
  | { op: "score-json"; key: string; features: string[]; json: Uint8Array };

/**
 * `doneAt`: when the thread finished, on the clock every thread of the process shares (timeOrigin + now).
 * `unsure`: rows the thread would not score (not plain numbers, other columns, a row it cannot score): the
 * request's thread reads the whole body itself, so that a refusal names the right row.
 */
export type ScoringAnswer =
  | { loaded: true }
  | { probabilities: number[]; rows: number; doneAt: number }
  | { missing: true }
  | { unsure: true };

/** Scorers kept by the thread; a few ensembles' worth, as each holds its forests. */
const scorers = new LRUCache<string, Scorer>({ max: 8 });

/** The scoring thread's side (./scoring-worker.ts); a refusal (a row too far out of range) throws its ValidationError. */
export function handleScoringRequest(request: ScoringRequest): ScoringAnswer {
  if (request.op === "load") {
    scorers.set(request.key, scorerFromState(request.state));
    return { loaded: true };
  }
  const scorer = scorers.get(request.key);
  if (!scorer) return { missing: true };
  if (request.op === "score-json") return scoreJsonRows(scorer, request.features, request.json);
  const { width, values } = request;
  const X = new Array<number[]>(values.length / width);
  for (let i = 0; i < X.length; i++) {
    // A plain loop: Array.from over a subarray took four times as long.
    const row = new Array<number>(width);
    for (let j = 0; j < width; j++) row[j] = values[i * width + j];
    X[i] = row;
  }
  const probabilities = scoreMatrix(scorer, X);
  return { probabilities, rows: X.length, doneAt: performance.timeOrigin + performance.now() };
}

function scoreJsonRows(scorer: Scorer, features: string[], json: Uint8Array): ScoringAnswer {
  const rows = predictRowsFromPart(Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString("utf8"));
  if (!rows) return { unsure: true };
  let X: number[][];
  try {
    X = rowsToMatrix(rows, features);
  } catch {
    return { unsure: true };
  }
  let probabilities: number[];
  try {
    probabilities = scoreMatrix(scorer, X);
  } catch (err) {
    if (err instanceof ValidationError) return { unsure: true };
    throw err;
  }
  return { probabilities, rows: X.length, doneAt: performance.timeOrigin + performance.now() };
}
