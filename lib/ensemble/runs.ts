import mongoose from "mongoose";
import { Ensemble } from "@/models/Ensemble";
import { EnsembleRunPage, type EnsembleRunFields } from "@/models/EnsembleRunPage";

/**
 * An ensemble's build history: its newest RUNS_KEPT runs, in pages of
 * RUNS_PER_PAGE documents found by `_id` (models/EnsembleRunPage.ts says why
 * not inside the ensemble's document). The ensemble's document keeps only how
 * many runs were recorded (`run_count`, which names the page of the next one)
 * and the newest run (`last_run`, for listings).
 */
export const RUNS_KEPT = 100;
export const RUNS_PER_PAGE = 10;

export type RunEntry = EnsembleRunFields;

/** What of an ensemble's document the history needs. */
export interface RunHistoryHead {
  _id: mongoose.Types.ObjectId;
  /** Absent on documents from before run pages: their history is still in `runs`. */
  run_count?: number | null;
  runs?: RunEntry[] | null;
}

const pageId = (ensembleId: mongoose.Types.ObjectId, page: number) => `${String(ensembleId)}:${page}`;

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
 * Adds run `index` (from recordRunEnd) to its page of the history, and retires
 * the page that has just fallen out of the newest RUNS_KEPT runs (each new page
 * retires one). After recordRunEnd, so a crash in between loses the run's line
 * in the history, never points the ensemble at a build it has not recorded; a
 * build runs it alongside its last steps.
 */
export async function appendRun(ensembleId: mongoose.Types.ObjectId, index: number, entry: Record<string, unknown>): Promise<void> {
  const page = Math.floor(index / RUNS_PER_PAGE);
  const retired = page - Math.ceil(RUNS_KEPT / RUNS_PER_PAGE) - 1;
  await Promise.all([
    EnsembleRunPage.updateOne({ _id: pageId(ensembleId, page) }, { $push: { runs: entry }, $setOnInsert: { ensemble_id: ensembleId, page } }, { upsert: true }),
    index % RUNS_PER_PAGE === 0 && retired >= 0 ? EnsembleRunPage.deleteOne({ _id: pageId(ensembleId, retired) }) : null,
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
 * The newest RUNS_KEPT runs, oldest first: a history from before run pages
 * (still inside the document) first, then the pages.
 */
export async function readRunHistory(head: RunHistoryHead): Promise<RunEntry[]> {
  const inline = head.runs ?? [];
  const count = head.run_count ?? 0;
  if (count === 0) return inline.slice(-RUNS_KEPT);
  const firstPage = Math.floor(Math.max(0, count - RUNS_KEPT) / RUNS_PER_PAGE);
  const lastPage = Math.floor((count - 1) / RUNS_PER_PAGE);
  const pages = await Promise.all(
    Array.from({ length: lastPage - firstPage + 1 }, (_, k) => EnsembleRunPage.findById(pageId(head._id, firstPage + k), { runs: 1 }).lean()),
  );
  return [...inline, ...pages.flatMap((p) => p?.runs ?? [])].slice(-RUNS_KEPT);
}

/** Removes a deleted ensemble's history. */
export async function deleteRunHistory(ensembleId: mongoose.Types.ObjectId): Promise<void> {
  await EnsembleRunPage.deleteMany({ ensemble_id: ensembleId });
}

/**
 * Moves a history from before run pages out of the ensemble's document into
 * pages, once, at the ensemble's first build since; returns the run count.
 * Safe to repeat after a crash: the pages are written whole under fixed ids
 * before the document drops its copy.
 */
async function moveInlineRuns(ensembleId: mongoose.Types.ObjectId): Promise<number> {
  const doc = await Ensemble.findById(ensembleId, { runs: 1, run_count: 1 }).lean();
  if (!doc) return 0;
  if (typeof doc.run_count === "number") return doc.run_count;
  const runs = (doc.runs ?? []).slice(-RUNS_KEPT) as RunEntry[];
  for (let page = 0; page * RUNS_PER_PAGE < runs.length; page++) {
    const part = runs.slice(page * RUNS_PER_PAGE, (page + 1) * RUNS_PER_PAGE);
    await EnsembleRunPage.updateOne({ _id: pageId(ensembleId, page) }, { $set: { ensemble_id: ensembleId, page, runs: part } }, { upsert: true });
  }
  await Ensemble.updateOne({ _id: ensembleId }, { $set: { run_count: runs.length, last_run: runs.at(-1) ?? null }, $unset: { runs: 1 } });
  return runs.length;
}
