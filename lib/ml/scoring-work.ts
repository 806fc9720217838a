import { LRUCache } from "lru-cache";
import { scoreMatrix, scorerFromState, type Scorer, type ScorerState } from "./scorer";

/** What the scoring thread is asked: keep a scorer under a key, or score rows with one it keeps. */
export type ScoringRequest =
  | { op: "load"; key: string; state: ScorerState }
  | { op: "score"; key: string; width: number; values: Float64Array };

/** `doneAt`: when the thread finished, on the clock every thread of the process shares (timeOrigin + now). */
export type ScoringAnswer = { loaded: true } | { probabilities: number[]; doneAt: number } | { missing: true };

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
  const { width, values } = request;
  const X = new Array<number[]>(values.length / width);
  for (let i = 0; i < X.length; i++) {
    // A plain loop: Array.from over a subarray took four times as long.
    const row = new Array<number>(width);
    for (let j = 0; j < width; j++) row[j] = values[i * width + j];
    X[i] = row;
  }
  const probabilities = scoreMatrix(scorer, X);
  return { probabilities, doneAt: performance.timeOrigin + performance.now() };
}
