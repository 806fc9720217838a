import { Worker } from "node:worker_threads";
import { LRUCache } from "lru-cache";
import { ValidationError } from "@/lib/errors";
import { JsonBytes } from "@/lib/json-body";
import { childLogger } from "@/lib/log";
import { ThreadClient, TS_LOADER } from "@/lib/threads/client";
import { MAX_PREDICT_ROWS, parsePredictRows, predictRowsFromPart, rowsToMatrix } from "./matrix";
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
  /** The same two for a body read in halves: reading the rows' JSON as well as scoring them. */
  bodyMsPerRow: number;
  threadBodyMsPerRow: number;
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
    info = {
      key: `scorer-${nextKey++}`,
      msPerRow: Number.NaN,
      threadMsPerRow: Number.NaN,
      bodyMsPerRow: Number.NaN,
      threadBodyMsPerRow: Number.NaN,
      heldBy: null,
      sending: false,
      unsendable: false,
    };
    seen.set(scorer, info);
  }
  const large = X.length >= SPLIT_MIN_ROWS && info.msPerRow * X.length >= SPLIT_MIN_MS;
  const generation = thread.generation;
  if (!large || info.unsendable || generation === null || info.heldBy !== generation || thread.busy) {
    if (large) send(scorer, info);
    return timed(scorer, X, info);
  }

  const threadShare = shareFor(info.msPerRow, info.threadMsPerRow);
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

/** The thread's share of the rows, so that both sides end together: its rows also pay for their trip. */
function shareFor(hereMsPerRow: number, threadMsPerRow: number): number {
  if (!Number.isFinite(hereMsPerRow) || !Number.isFinite(threadMsPerRow)) return 0.45;
  return Math.min(0.6, Math.max(0.2, hereMsPerRow / (hereMsPerRow + threadMsPerRow)));
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

/**
 * A predict body (JSON already parsed, or its bytes) scored by the scorer `resolve` finds, with what it resolved.
 * Checks and refusals are those of parsePredictRows, then `resolve`'s, then rowsToMatrix's and the scorer's, in
 * that order, whichever way the body is read.
 *
 * A large body's bytes are read in two halves at once when the scorer the last request to the same `place`
 * (say, an ensemble's id) used is held by the scoring thread: the thread reads and scores the rows after a row
 * boundary near the middle, this thread reads and scores the rows before it with that scorer, and `resolve` looks
 * the scorer up meanwhile; the halves are used only if it finds that same one. Why: JSON.parse of a 1,000-row body
 * took about 3 ms, as long as scoring it, and reading, looking up (a database round trip) and scoring each waited
 * for the one before. The body is cut at a "},{" between the rows array's brackets, and each side is parsed as an
 * array of its own: if both parse, the whole body is exactly {"rows": [...first, ...second]} (a cut inside a
 * string, or any other shape, fails to parse). Anything the halves do not settle (a part that does not parse or
 * check, other columns, a row the scorer refuses, more rows than allowed, another scorer) is read again from the
 * whole body here, so every refusal keeps its words and its order.
 */
export async function predictBody<T>(
  body: unknown,
  place: string,
  resolve: () => Promise<T>,
  scorerOf: (resolved: T) => Scorer,
  message?: string,
): Promise<{ probabilities: number[]; resolved: T }> {
  let resolved: { value: T } | null = null;
  const guess = body instanceof JsonBytes && body.bytes.length >= SPLIT_MIN_BYTES ? lastScorers.get(place)?.deref() : undefined;
  const halves = guess && body instanceof JsonBytes ? startBodyHalves(body, guess) : null;
  if (halves && guess) {
    // Looked up while this thread reads and scores its rows with the likely scorer; kept only if it is that one.
    const resolving = resolve().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const started = performance.now();
    const first = predictRowsFromPart(halves.first);
    const mine = first ? scoreFirstRows(guess, first) : null;
    if (mine) halves.info.bodyMsPerRow = (performance.now() - started) / mine.length;
    const outcome = await resolving;
    if ("error" in outcome) {
      // A bad body is refused before a missing or stale scorer, as when the body is read whole first.
      parsePredictRows((body as JsonBytes).parse(), message);
      throw outcome.error;
    }
    resolved = outcome;
    const scorer = scorerOf(outcome.value);
    remember(place, scorer);
    const theirs = await halves.second;
    if (first && mine && theirs && scorer === guess && first.length + theirs.rows <= MAX_PREDICT_ROWS) {
      rowsScoredThere += theirs.rows;
      bodiesInHalves++;
      return { probabilities: mine.concat(theirs.probabilities), resolved: outcome.value };
    }
  }
  const rows = parsePredictRows(body instanceof JsonBytes ? body.parse() : body, message);
  const value = resolved ? resolved.value : await resolve();
  const scorer = scorerOf(value);
  remember(place, scorer);
  return { probabilities: await scoreInHalves(scorer, rowsToMatrix(rows, scorer.features)), resolved: value };
}

/** The scorer each place's last request used: the likely one for its next (held weakly: the caches own them). */
const lastScorers = new LRUCache<string, WeakRef<Scorer>>({ max: 256 });

function remember(place: string, scorer: Scorer): void {
  if (lastScorers.peek(place)?.deref() !== scorer) lastScorers.set(place, new WeakRef(scorer));
}

/** Below this, a body is parsed whole: the halves would save less than the trip costs. */
const SPLIT_MIN_BYTES = 64 * 1024;
const BODY_START = /^[ \t\n\r]*\{[ \t\n\r]*"rows"[ \t\n\r]*:[ \t\n\r]*\[/;
const BODY_END = /\][ \t\n\r]*\}[ \t\n\r]*$/;
const EDGE_BYTES = 64;

interface BodyHalves {
  info: Seen;
  /** The first rows' text, without brackets. */
  first: string;
  /** The thread's answer for the rest; null when it does not settle them. */
  second: Promise<Extract<ScoringAnswer, { probabilities: number[] }> | null>;
}

/** Cuts a body of at least SPLIT_MIN_BYTES and sends its second part to the thread, or null when the body or the thread does not suit. */
function startBodyHalves(body: JsonBytes, scorer: Scorer): BodyHalves | null {
  const info = seen.get(scorer);
  const generation = thread.generation;
  const { bytes } = body;
  if (!info || info.unsendable || generation === null || info.heldBy !== generation || thread.busy) return null;
  // Latin-1 keeps one character per byte, so match lengths are byte offsets (and a byte past ASCII never matches).
  const start = BODY_START.exec(bytes.toString("latin1", 0, EDGE_BYTES));
  const end = BODY_END.exec(bytes.toString("latin1", bytes.length - EDGE_BYTES));
  if (!start || !end) return null;
  const from = start[0].length;
  const to = bytes.length - end[0].length;
  const threadShare = shareFor(info.bodyMsPerRow, info.threadBodyMsPerRow);
  const cut = bytes.indexOf("},{", Math.floor(from + (to - from) * (1 - threadShare)));
  if (cut < 0 || cut + 2 >= to) return null;
  const sent = performance.timeOrigin + performance.now();
  // A copy of just the second part: a view would carry the whole body's buffer to the thread.
  const json = Uint8Array.prototype.slice.call(bytes, cut + 2, to);
  const second = thread.run({ op: "score-json", key: info.key, features: scorer.features, json }).then(
    (answer) => {
      if (!("probabilities" in answer)) {
        if ("missing" in answer) info.heldBy = null;
        return null;
      }
      info.threadBodyMsPerRow = (answer.doneAt - sent) / Math.max(1, answer.rows);
      return answer;
    },
    () => null,
  );
  return { info, first: bytes.toString("utf8", from, cut + 1), second };
}

/** The first rows scored with the likely scorer; null when they do not check or it refuses one (the whole body decides). */
function scoreFirstRows(scorer: Scorer, first: Array<Record<string, number>>): number[] | null {
  try {
    return timed(scorer, rowsToMatrix(first, scorer.features), seen.get(scorer)!);
  } catch (err) {
    if (err instanceof ValidationError) return null;
    throw err;
  }
}

let bodiesInHalves = 0;

/** Predict bodies read and scored in two halves at once in this process. */
export function bodiesReadInHalves(): number {
  return bodiesInHalves;
}
