import { Worker } from "node:worker_threads";
import { ValidationError } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import { ThreadClient, TS_LOADER } from "@/lib/threads/client";
import { scoreMatrix, scorerState, type Scorer } from "./scorer";
import type { ScoringAnswer, ScoringRequest } from "./scoring-work";

/**
 * A large prediction is scored in two halves at once: this thread takes the
 * first rows while a scoring thread takes the rest, with the same scorer
 * rebuilt there from its artifacts (so the same bits). Why: 1,000 rows through
 * the demo ensemble's two 50-tree forests is about 5 ms of this thread's time,
 * the largest part of such a request, and a web server on two cores serving one
 * client leaves the other idle.
 *
 * When not: small work (the message costs more than it saves), a scorer the
 * thread does not hold yet (it is sent in the background and this request is
 * scored here), or a thread already busy with another request's half (waiting
 * for it would be slower than scoring here). If the thread fails or stops, or
 * refuses a row, the rows are scored here, so a refusal names the row by its
 * place in the whole request.
 */

const log = childLogger("scoring");

/** Below these, a request is scored here only. */
const SPLIT_MIN_ROWS = 64;
const SPLIT_MIN_MS = 1.5;
const STOPPED = "The scoring thread stopped.";

const thread = (() => {
  // One thread per process, even when the bundler loads this module twice.
  const store = globalThis as unknown as { __scoringThread?: ThreadClient<ScoringRequest, ScoringAnswer> };
  return (store.__scoringThread ??= new ThreadClient<ScoringRequest, ScoringAnswer>(
    "scoring worker",
    () => new Worker(new URL("./scoring-worker.ts", import.meta.url), { execArgv: TS_LOADER }),
    STOPPED,
  ));
})();

interface Seen {
  key: string;
  /** This thread's time per row, from the last rows it scored. */
  msPerRow: number;
  /** From sending rows to the scoring thread to its having scored them, per row, the last time. */
  threadMsPerRow: number;
  /** The thread start that holds this scorer, if any. */
  heldBy: number | null;
  sending: boolean;
  /** The thread could not rebuild it (an algorithm registered only here): always scored here. */
  unsendable: boolean;
}

const seen = new WeakMap<Scorer, Seen>();
let nextKey = 1;
let rowsScoredThere = 0;

/** Rows the scoring thread has scored in this process: how often splitting happens. */
export function rowsScoredOnThread(): number {
  return rowsScoredThere;
}

/** P(target = 1) for rows whose columns are in `scorer.features` order, large batches in two halves at once. */
export async function scoreInHalves(scorer: Scorer, X: number[][]): Promise<number[]> {
  let info = seen.get(scorer);
  if (!info) {
    info = { key: `scorer-${nextKey++}`, msPerRow: Number.NaN, threadMsPerRow: Number.NaN, heldBy: null, sending: false, unsendable: false };
    seen.set(scorer, info);
  }
  const large = X.length >= SPLIT_MIN_ROWS && info.msPerRow * X.length >= SPLIT_MIN_MS;
  const generation = thread.generation;
  if (!large || info.unsendable || generation === null || info.heldBy !== generation || thread.busy) {
    if (large) send(scorer, info);
    return timed(scorer, X, info);
  }

  // Shares that should end together: the thread's rows also pay for their trip (measured about 1.3x this thread's time per row).
  const threadShare = Number.isFinite(info.threadMsPerRow) ? Math.min(0.6, Math.max(0.2, info.msPerRow / (info.msPerRow + info.threadMsPerRow))) : 0.45;
  const half = X.length - Math.round(X.length * threadShare);
  const width = X[0].length;
  const values = new Float64Array((X.length - half) * width);
  for (let i = half; i < X.length; i++) values.set(X[i], (i - half) * width);
  const sent = performance.timeOrigin + performance.now();
  const theirs = thread.run({ op: "score", key: info.key, width, values }).then(
    (answer) => answer,
    (err: unknown) => (err instanceof ValidationError ? ("refused" as const) : null),
  );
  const mine = timed(scorer, X.slice(0, half), info);
  const answer = await theirs;
  if (answer && answer !== "refused" && "probabilities" in answer) {
    info.threadMsPerRow = (answer.doneAt - sent) / (X.length - half);
    rowsScoredThere += X.length - half;
    return mine.concat(answer.probabilities);
  }
  if (answer && answer !== "refused" && "missing" in answer) {
    info.heldBy = null;
    send(scorer, info);
  }
  try {
    return mine.concat(scoreMatrix(scorer, X.slice(half)));
  } catch (err) {
    // Scored from the first row again, so a refusal names the row by its place in the request.
    if (err instanceof ValidationError) return scoreMatrix(scorer, X);
    throw err;
  }
}

function timed(scorer: Scorer, X: number[][], info: Seen): number[] {
  const started = performance.now();
  const probabilities = scoreMatrix(scorer, X);
  if (X.length > 0) info.msPerRow = (performance.now() - started) / X.length;
  return probabilities;
}

/** Gives the thread the scorer, in the background (starting the thread if it is not running). */
function send(scorer: Scorer, info: Seen): void {
  if (info.sending || info.unsendable) return;
  info.sending = true;
  const sent = thread.run({ op: "load", key: info.key, state: scorerState(scorer) });
  const generation = thread.generation;
  sent.then(
    () => {
      info.heldBy = generation;
    },
    (err: unknown) => {
      // A refusal means the thread cannot rebuild this scorer; a stopped thread is retried with the next request.
      if (!(err instanceof Error && err.message === STOPPED)) info.unsendable = true;
      log.warn({ err: err instanceof Error ? err.message : String(err) }, "a scorer could not be given to the scoring thread; its rows are scored on the request's thread");
    },
  ).finally(() => {
    info.sending = false;
  });
}
