import mongoose from "mongoose";
import { boundedCache } from "@/lib/cache";
import { Ensemble } from "@/models/Ensemble";
import { EnsembleRun, runsCollectionOf, storedRun, type EnsembleRunFields, type StoredRun } from "@/models/EnsembleRun";
import { bumpServingStamp } from "@/models/ServingStamp";

/**
 * An ensemble's build history: its newest RUNS_KEPT runs, one document each in
 * the ensemble's own collection, named by the run's index (models/EnsembleRun.ts
 * says why there). The ensemble's document keeps only how many runs were
 * recorded (`run_count`, the next run's index) and the newest run (`last_run`,
 * for listings, without its holdout summary).
 */
export const RUNS_KEPT = 100;

export type RunEntry = EnsembleRunFields;

/** What of an ensemble's document the history needs. */
export interface RunHistoryHead {
  _id: mongoose.Types.ObjectId;
  /** Absent on documents from before ensemble_runs: their history is still in `runs`. */
  run_count?: number | null;
  /** False or absent where the previous version kept the runs, all ensembles' together in ensemble_runs. */
  own_runs_collection?: boolean | null;
  runs?: RunEntry[] | null;
  last_run?: { run_id?: string | null; status?: string | null; started_at?: Date | string | null; total_ms?: number | null } | null;
}

/**
 * Records a build's end on the ensemble: `set` (status, pointers) together
 * with its run count and newest run. Returns the run as its history stores it
 * (cast and checked by the run schema, its index the run's place in the
 * history), for appendRun, or null when the ensemble no longer exists. Builds
 * of one ensemble do not overlap (its lock), so `run_count` as read at the
 * build's start names this run.
 *
 * The document's copy of the run leaves out the holdout summary (calibration
 * bins, seasons; the history's copy has it): listings do not show it, and
 * FerretDB decodes and rewrites a document whole, so those 2 KB of nested
 * objects nearly doubled the time of every read and write of the ensemble here
 * (find 5.5 -> 3.3 ms, update 8.5 -> 4.6 ms).
 *
 * Written through the driver, the serving stamp moved as the model's hook
 * would: `set` holds values of the schema's types already (and updates run no
 * validators), and the run has just been cast, yet mongoose's cast of the
 * update cost about 4 ms of a warm build here and 19 ms of a fresh process's
 * first.
 */
export async function recordRunEnd(head: RunHistoryHead, set: Record<string, unknown>, entry: Record<string, unknown>): Promise<StoredRun | null> {
  const index = typeof head.run_count !== "number" ? await moveInlineRuns(head._id) : head.own_runs_collection ? head.run_count : await moveSharedRuns(head);
  const stored = await storedRun(head._id, index, entry);
  const res = await Ensemble.collection.updateOne(
    { _id: head._id },
    { $set: { ...set, run_count: index + 1, last_run: { ...stored.run, holdout: null }, own_runs_collection: true, updatedAt: new Date() } },
  );
  if (res.matchedCount !== 1) return null;
  await bumpServingStamp();
  return stored;
}

/**
 * Adds a run recorded by recordRunEnd to the history, and removes the run that
 * has just fallen out of the newest RUNS_KEPT. After recordRunEnd, so a crash in
 * between loses the run's line in the history, never points the ensemble at a
 * build it has not recorded; a build runs it beside its last steps.
 *
 * One run removed by its _id per build, not several at a time by index: on the
 * embedded FerretDB only an _id is compared inside SQLite (a removal among 100
 * runs took 28 ms here), any other filter decodes every run (a removal of ten
 * by index took about 200 ms).
 */
export async function appendRun(ensembleId: mongoose.Types.ObjectId, stored: StoredRun): Promise<void> {
  const runs = runsCollectionOf(ensembleId);
  await Promise.all([
    // Already there only when a build that recorded its end failed after it: its failure replaces the line.
    runs.insertOne(stored).catch((err: unknown) => {
      if ((err as { code?: number }).code !== 11000) throw err;
      return runs.replaceOne({ _id: stored._id }, stored);
    }),
    stored.index >= RUNS_KEPT ? runs.deleteOne({ _id: String(stored.index - RUNS_KEPT) }) : null,
  ]);
}

/** recordRunEnd, then appendRun: whether the ensemble still existed (nothing is appended when it did not). */
export async function recordEnsembleRun(head: RunHistoryHead, set: Record<string, unknown>, entry: Record<string, unknown>): Promise<boolean> {
  const stored = await recordRunEnd(head, set, entry);
  if (stored === null) return false;
  await appendRun(head._id, stored);
  return true;
}

/**
 * The newest RUNS_KEPT runs, oldest first: a history from before ensemble_runs
 * (still inside the document) first, then the run documents, in one read of the
 * ensemble's runs collection (or of the previous version's shared one, until
 * the next build moves them). A run whose document is missing (a crash between
 * recording a build's end and appending it) is left out.
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
  if (count === 0) return { runs: inline.slice(-RUNS_KEPT), newestFound: true };
  const first = Math.max(0, count - RUNS_KEPT);
  // One read of the whole collection: at most RUNS_KEPT runs, and a few more while a crashed build's removal waits.
  const stored = head.own_runs_collection
    ? await runsCollectionOf(head._id).find({}, { projection: { index: 1, run: 1 } }).toArray()
    : ((await EnsembleRun.find({ ensemble_id: head._id }, { index: 1, run: 1 }).lean()) as Array<{ index: number; run: RunEntry }>);
  const kept = stored.filter((d) => d.index >= first && d.index < count).sort((a, b) => a.index - b.index);
  const runs = kept.map((d) => d.run as RunEntry);
  return { runs: [...inline, ...runs].slice(-RUNS_KEPT), newestFound: kept.at(-1)?.index === count - 1 };
}

/** Removes a deleted ensemble's history, wherever this or the previous version kept it. */
export async function deleteRunHistory(ensembleId: mongoose.Types.ObjectId): Promise<void> {
  await Promise.all([
    runsCollectionOf(ensembleId)
      .drop()
      .catch((err: unknown) => {
        // Never created: an ensemble that recorded no run here.
        if ((err as { codeName?: string }).codeName !== "NamespaceNotFound") throw err;
      }),
    EnsembleRun.deleteMany({ ensemble_id: ensembleId }),
  ]);
}

/**
 * Moves a history the previous version kept in the shared ensemble_runs into
 * the ensemble's own collection, once, at its first build since; returns the
 * run count. Copied, then the ensemble marked as reading its own collection,
 * then the shared copies removed: a crash at any point repeats the move (which
 * replaces what it copied) or leaves shared copies nobody reads.
 */
async function moveSharedRuns(head: RunHistoryHead): Promise<number> {
  const count = head.run_count ?? 0;
  const shared = await EnsembleRun.find({ ensemble_id: head._id }, { index: 1, run: 1 }).lean();
  await copyIntoOwnCollection(head._id, shared.filter((r) => r.index >= count - RUNS_KEPT));
  if (shared.length > 0) {
    await Ensemble.updateOne({ _id: head._id }, { $set: { own_runs_collection: true } });
    await EnsembleRun.deleteMany({ ensemble_id: head._id });
  }
  return count;
}

/**
 * Moves a history from before ensemble_runs out of the ensemble's document
 * into its own collection, once, at the ensemble's first build since; returns
 * the run count. Safe to repeat after a crash: the run documents have fixed ids
 * (a repeat replaces them) and are written before the document drops its copy.
 */
async function moveInlineRuns(ensembleId: mongoose.Types.ObjectId): Promise<number> {
  const doc = await Ensemble.findById(ensembleId, { runs: 1, run_count: 1 }).lean();
  if (!doc) return 0;
  if (typeof doc.run_count === "number") return doc.run_count;
  const inline = (doc.runs ?? []).slice(-RUNS_KEPT) as RunEntry[];
  await copyIntoOwnCollection(ensembleId, inline.map((run, index) => ({ index, run })));
  await Ensemble.updateOne(
    { _id: ensembleId },
    { $set: { run_count: inline.length, last_run: inline.at(-1) ?? null, own_runs_collection: true }, $unset: { runs: 1 } },
  );
  return inline.length;
}

/** Writes runs into the ensemble's own collection by index, replacing any already there (a move repeated after a crash). */
async function copyIntoOwnCollection(ensembleId: mongoose.Types.ObjectId, runs: ReadonlyArray<{ index: number; run: unknown }>): Promise<void> {
  const own = runsCollectionOf(ensembleId);
  for (const { index, run } of runs) {
    const doc = await storedRun(ensembleId, index, run);
    await own.replaceOne({ _id: doc._id }, doc, { upsert: true });
  }
}
