import mongoose from "mongoose";
import { boundedCache } from "@/lib/cache";
import { Ensemble } from "@/models/Ensemble";
import { EnsembleRun, type EnsembleRunFields } from "@/models/EnsembleRun";

/**
 * An ensemble's build history: its newest RUNS_KEPT runs, one document each in
 * ensemble_runs named by the ensemble and the run's index (models/EnsembleRun.ts
 * says why not inside the ensemble's document). The ensemble's document keeps
 * only how many runs were recorded (`run_count`, the next run's index) and the
 * newest run (`last_run`, for listings).
 */
export const RUNS_KEPT = 100;

/** How many runs a history read asks for at once: a few connections' worth, not one per run. */
const READ_BATCH = 10;

export type RunEntry = EnsembleRunFields;

/** What of an ensemble's document the history needs. */
export interface RunHistoryHead {
  _id: mongoose.Types.ObjectId;
  /** Absent on documents from before ensemble_runs: their history is still in `runs`. */
  run_count?: number | null;
  runs?: RunEntry[] | null;
  last_run?: { run_id?: string | null; status?: string | null; started_at?: Date | string | null; total_ms?: number | null } | null;
}

export const runDocId = (ensembleId: mongoose.Types.ObjectId, index: number) => `${String(ensembleId)}:${index}`;

/**
 * Records a build's end on the ensemble: `set` (status, pointers) together
 * with its run count and newest run. Returns the run's index in the history,
 * for appendRun, or null when the ensemble no longer exists. Builds of one
 * ensemble do not overlap (its lock), so `run_count` as read at the build's
 * start names this run.
 */
export async function recordRunEnd(head: RunHistoryHead, set: Record<string, unknown>, entry: Record<string, unknown>): Promise<number | null> {
  const index = head.run_count ?? (await moveInlineRuns(head._id));
  const res = await Ensemble.updateOne({ _id: head._id }, { $set: { ...set, run_count: index + 1, last_run: entry } });
  return res.matchedCount === 1 ? index : null;
}

/**
 * Adds run `index` (from recordRunEnd) to the history, and removes the run that
 * has just fallen out of the newest RUNS_KEPT. After recordRunEnd, so a crash in
 * between loses the run's line in the history, never points the ensemble at a
 * build it has not recorded; a build runs it beside its last steps.
 */
export async function appendRun(ensembleId: mongoose.Types.ObjectId, index: number, entry: Record<string, unknown>): Promise<void> {
  const doc = { _id: runDocId(ensembleId, index), ensemble_id: ensembleId, index, run: entry };
  await Promise.all([
    // Already there only when a build that recorded its end failed after it: its failure replaces the line.
    EnsembleRun.create(doc).catch((err: unknown) => {
      if ((err as { code?: number }).code !== 11000) throw err;
      return EnsembleRun.replaceOne({ _id: doc._id }, doc);
    }),
    index >= RUNS_KEPT ? EnsembleRun.deleteOne({ _id: runDocId(ensembleId, index - RUNS_KEPT) }) : null,
  ]);
}

/** recordRunEnd, then appendRun: whether the ensemble still existed (nothing is appended when it did not). */
export async function recordEnsembleRun(head: RunHistoryHead, set: Record<string, unknown>, entry: Record<string, unknown>): Promise<boolean> {
  const index = await recordRunEnd(head, set, entry);
  if (index === null) return false;
  await appendRun(head._id, index, entry);
  return true;
}

/**
 * The newest RUNS_KEPT runs, oldest first: a history from before ensemble_runs
 * (still inside the document) first, then the run documents, read by `_id` a
 * batch at a time. A run whose document is missing (a crash between recording
 * a build's end and appending it) is left out.
 */
export async function readRunHistory(head: RunHistoryHead): Promise<RunEntry[]> {
  const key = historyKey(head);
  const known = key === null ? undefined : histories.get(key);
  if (known) return known.runs;
  const { runs, newestFound } = await readRunDocuments(head);
  // Not remembered while the newest run's document is missing: a build between its end write and its insert.
  if (key !== null && newestFound) histories.set(key, { runs });
  return runs;
}

/**
 * Histories already read, by what names their content: the ensemble, its run
 * count and its newest run (the one line a later write can replace, see
 * appendRun). Another run, in any process, is another count; so an entry can
 * be cold, never wrong, and a page shown again reads no run. Callers must not
 * change the arrays.
 */
const histories = boundedCache<{ runs: RunEntry[] }>("run-histories", 64);

function historyKey(head: RunHistoryHead): string | null {
  const last = head.last_run;
  if (!last || (head.runs?.length ?? 0) > 0 || typeof head.run_count !== "number") return null;
  const started = last.started_at ? new Date(last.started_at).toISOString() : null;
  return JSON.stringify([String(head._id), head.run_count, last.run_id ?? null, last.status ?? null, started, last.total_ms ?? null]);
}

async function readRunDocuments(head: RunHistoryHead): Promise<{ runs: RunEntry[]; newestFound: boolean }> {
  const inline = head.runs ?? [];
  const count = head.run_count ?? 0;
  const first = Math.max(0, count - RUNS_KEPT);
  const runs: RunEntry[] = [];
  let newestFound = count === 0;
  for (let from = first; from < count; from += READ_BATCH) {
    const batch = Array.from({ length: Math.min(READ_BATCH, count - from) }, (_, k) => EnsembleRun.findById(runDocId(head._id, from + k), { run: 1 }).lean());
    const docs = await Promise.all(batch);
    for (const doc of docs) if (doc) runs.push(doc.run as RunEntry);
    if (from + docs.length === count) newestFound = docs.at(-1) != null;
  }
  return { runs: [...inline, ...runs].slice(-RUNS_KEPT), newestFound };
}

/** Removes a deleted ensemble's history. */
export async function deleteRunHistory(ensembleId: mongoose.Types.ObjectId): Promise<void> {
  await EnsembleRun.deleteMany({ ensemble_id: ensembleId });
}

/**
 * Moves a history from before ensemble_runs out of the ensemble's document,
 * once, at the ensemble's first build since; returns the run count. Safe to
 * repeat after a crash: the run documents have fixed ids (a repeat finds them
 * there) and are written before the document drops its copy.
 */
async function moveInlineRuns(ensembleId: mongoose.Types.ObjectId): Promise<number> {
  const doc = await Ensemble.findById(ensembleId, { runs: 1, run_count: 1 }).lean();
  if (!doc) return 0;
  if (typeof doc.run_count === "number") return doc.run_count;
  const runs = (doc.runs ?? []).slice(-RUNS_KEPT) as RunEntry[];
  const present = new Set((await Promise.all(runs.map((_, i) => EnsembleRun.exists({ _id: runDocId(ensembleId, i) })))).map((e, i) => (e ? i : -1)));
  const missing = runs.flatMap((run, index) => (present.has(index) ? [] : [{ _id: runDocId(ensembleId, index), ensemble_id: ensembleId, index, run }]));
  if (missing.length > 0) await EnsembleRun.insertMany(missing);
  await Ensemble.updateOne({ _id: ensembleId }, { $set: { run_count: runs.length, last_run: runs.at(-1) ?? null }, $unset: { runs: 1 } });
  return runs.length;
}
