import mongoose from "mongoose";
import { describe, expect, it, vi } from "vitest";
import { useTestEnv } from "@/lib/testing/env";
import { Ensemble } from "@/models/Ensemble";
import { EnsembleRun, runsCollectionOf } from "@/models/EnsembleRun";
import { SERVING_STAMP_ID, readStamp } from "@/models/ServingStamp";
import { RUNS_KEPT, appendRun, readRunHistory, recordEnsembleRun, recordRunEnd } from "./runs";
import { deleteEnsemble, getEnsemble, listEnsembles } from "./service";

useTestEnv();

async function newEnsemble(name: string) {
  const doc = await Ensemble.create({
    name,
    base_model_ids: [new mongoose.Types.ObjectId(), new mongoose.Types.ObjectId()],
    meta_training_csv: "meta.csv",
    target: "label",
  });
  return doc._id;
}

/** A failed run whose total_ms is its number, so order and identity can be read back. */
const run = (n: number) => ({ run_id: null, started_at: new Date(Date.UTC(2026, 0, 1) + n * 1000), total_ms: n, meta_ms: null, status: "failed", error: `run ${n}`, metrics: null, base: [] });

const head = async (id: mongoose.Types.ObjectId) => (await Ensemble.findById(id).lean())!;

describe("an ensemble's run history", () => {
  it("keeps the newest runs, oldest first, one document each, while the ensemble's document holds only the count and the newest", async () => {
    const id = await newEnsemble("history-runs");
    const total = RUNS_KEPT + 23;
    for (let n = 0; n < total; n++) expect(await recordEnsembleRun(await head(id), { status: "failed" }, run(n))).toBe(true);

    const history = await readRunHistory(await head(id));
    expect(history.map((r) => r.total_ms)).toEqual(Array.from({ length: RUNS_KEPT }, (_, k) => total - RUNS_KEPT + k));
    const doc = await head(id);
    expect(doc.run_count).toBe(total);
    expect(doc.last_run?.total_ms).toBe(total - 1);
    expect(doc.runs).toBeUndefined();
    // The 23 oldest runs' documents are gone as newer ones came; the newest 100 stay, in the ensemble's own collection.
    const kept = (await runsCollectionOf(id).find({}).toArray()).map((r) => r.index).sort((a, b) => a - b);
    expect(kept).toEqual(Array.from({ length: RUNS_KEPT }, (_, k) => total - RUNS_KEPT + k));

    // The API: the whole kept history on the ensemble, the newest run alone in listings.
    expect((await getEnsemble(String(id))).runs.map((r) => r.error)).toEqual(history.map((r) => r.error));
    const listed = (await listEnsembles({ limit: 200 })).ensembles.find((e) => e.id === String(id));
    expect(listed?.runs.map((r) => r.error)).toEqual([`run ${total - 1}`]);

    await deleteEnsemble(String(id));
    expect(await runsCollectionOf(id).countDocuments()).toBe(0);
  });

  it("reads a history kept inside the document by earlier versions, and moves it out at the next recorded run", async () => {
    const id = new mongoose.Types.ObjectId();
    // As an earlier version stored it: the runs inside the document, no run count.
    await Ensemble.collection.insertOne({
      _id: id,
      name: "history-inline",
      base_model_ids: [new mongoose.Types.ObjectId(), new mongoose.Types.ObjectId()],
      meta_training_csv: "meta.csv",
      target: "label",
      status: "failed",
      runs: [run(0), run(1), run(2)],
    });
    expect((await readRunHistory(await head(id))).map((r) => r.total_ms)).toEqual([0, 1, 2]);
    expect((await getEnsemble(String(id))).runs).toHaveLength(3);

    expect(await recordEnsembleRun(await head(id), { status: "failed" }, run(3))).toBe(true);
    const doc = await head(id);
    expect(doc.runs).toBeUndefined();
    expect(doc.run_count).toBe(4);
    expect((await readRunHistory(doc)).map((r) => r.total_ms)).toEqual([0, 1, 2, 3]);
    expect(await runsCollectionOf(id).countDocuments()).toBe(4);
  });

  it("reads a history the previous version kept with every ensemble's in ensemble_runs, and moves it to the ensemble's own at the next run", async () => {
    const id = await newEnsemble("history-shared");
    const other = new mongoose.Types.ObjectId();
    // As the previous version stored them: "<ensemble id>:<index>" in one collection for all, next to another ensemble's.
    const shared = (e: mongoose.Types.ObjectId, n: number) => ({ _id: `${String(e)}:${n}`, ensemble_id: e, index: n, run: run(n) });
    await EnsembleRun.insertMany([shared(id, 0), shared(id, 1), shared(other, 0)]);
    await Ensemble.collection.updateOne({ _id: id }, { $set: { run_count: 2, last_run: run(1) }, $unset: { own_runs_collection: "" } });
    expect((await readRunHistory(await head(id))).map((r) => r.total_ms)).toEqual([0, 1]);

    expect(await recordEnsembleRun(await head(id), { status: "failed" }, run(2))).toBe(true);
    const doc = await head(id);
    expect(doc.own_runs_collection).toBe(true);
    expect((await readRunHistory(doc)).map((r) => r.total_ms)).toEqual([0, 1, 2]);
    expect((await runsCollectionOf(id).find({}).toArray()).map((r) => r.index).sort()).toEqual([0, 1, 2]);
    // Its shared copies are gone; the other ensemble's stay where they are.
    expect((await EnsembleRun.find({}, { ensemble_id: 1 }).lean()).map((r) => String(r.ensemble_id))).toEqual([String(other)]);
  });

  it("reads an ensemble's history without reading any other ensemble's", async () => {
    const [a, b] = [await newEnsemble("history-apart-a"), await newEnsemble("history-apart-b")];
    for (let n = 0; n < 5; n++) await recordEnsembleRun(await head(b), { status: "failed" }, run(100 + n));
    await recordEnsembleRun(await head(a), { status: "failed" }, run(0));
    const doc = await head(a);
    const finds = vi.spyOn(mongoose.mongo.Collection.prototype, "find");
    try {
      expect((await readRunHistory(doc)).map((r) => r.total_ms)).toEqual([0]);
      const read = finds.mock.contexts.map((c) => (c as { collectionName: string }).collectionName);
      expect(read).toEqual([`ensemble_runs.${String(a)}`]);
    } finally {
      finds.mockRestore();
    }
  });

  it("lets a build that failed after recording its end replace its own line, once", async () => {
    const id = await newEnsemble("history-twice");
    await recordEnsembleRun(await head(id), { status: "failed" }, run(0));
    const atStart = await head(id); // what the build read when it started
    expect(await recordEnsembleRun(atStart, { status: "trained" }, run(1))).toBe(true);
    expect(await recordEnsembleRun(atStart, { status: "failed" }, run(2))).toBe(true);
    expect((await readRunHistory(await head(id))).map((r) => r.total_ms)).toEqual([0, 2]);
    expect((await head(id)).run_count).toBe(2);
  });

  it("reads a history once per run count, sees the next run at once, and does not remember one read before its newest run was inserted", async () => {
    const id = await newEnsemble("history-remembered");
    for (let n = 0; n < 12; n++) await recordEnsembleRun(await head(id), { status: "failed" }, run(n));
    const finds = vi.spyOn(mongoose.mongo.Collection.prototype, "find");
    const runReads = () => finds.mock.contexts.filter((c) => (c as { collectionName: string }).collectionName === `ensemble_runs.${String(id)}`).length;
    try {
      expect(await readRunHistory(await head(id))).toHaveLength(12);
      const afterFirst = runReads();
      expect(afterFirst).toBe(1);
      expect(await readRunHistory(await head(id))).toHaveLength(12);
      expect(runReads()).toBe(afterFirst);

      // A build between its end write and its run's insert: read, not remembered.
      const recorded = (await recordRunEnd(await head(id), { status: "failed" }, run(12)))!;
      expect((await readRunHistory(await head(id))).map((r) => r.total_ms)).not.toContain(12);
      await appendRun(id, recorded);
      expect((await readRunHistory(await head(id))).at(-1)?.total_ms).toBe(12);

      await recordEnsembleRun(await head(id), { status: "failed" }, run(13));
      expect((await readRunHistory(await head(id))).at(-1)?.total_ms).toBe(13);
    } finally {
      finds.mockRestore();
    }
  });

  it("records a build's end as the schema casts it (the document's copy without the holdout summary), moves the serving stamp and the document's updatedAt, and refuses a run the schema refuses", async () => {
    const id = await newEnsemble("history-end");
    const before = await head(id);
    const stamp = await readStamp(SERVING_STAMP_ID);
    const baseId = new mongoose.Types.ObjectId();
    const holdout = { version: 1, n: 4, log_loss: 0.6, baseline: null, calibration: { ensemble: [], baseline: null }, seasons: [] };
    const entry = { ...run(5), status: "succeeded", base: [{ model_id: String(baseId), source: "artifact", ms: 3 }], holdout };
    const recorded = (await recordRunEnd(before, { status: "trained", last_error: null }, entry))!;
    expect(recorded.index).toBe(0);
    const after = await head(id);
    expect(await readStamp(SERVING_STAMP_ID)).not.toBe(stamp);
    expect(after.updatedAt!.getTime()).toBeGreaterThanOrEqual(before.updatedAt!.getTime());
    expect(after).toMatchObject({ status: "trained", run_count: 1, own_runs_collection: true });
    // Cast by the run schema: the id a string became an ObjectId, defaults filled in.
    expect(after.last_run!.base[0].model_id).toBeInstanceOf(mongoose.Types.ObjectId);
    expect(String(after.last_run!.base[0].model_id)).toBe(String(baseId));
    expect(after.last_run!.base[0]).toMatchObject({ model_name: null, note: null });
    // The history's copy keeps the holdout summary; the document's, read by every listing and build, does not.
    expect(recorded.run.holdout).toEqual(holdout);
    expect(after.last_run!.holdout).toBeNull();
    await expect(recordRunEnd(after, { status: "trained" }, { ...run(6), status: "no such status" })).rejects.toThrow(/status/);
    expect((await head(id)).run_count).toBe(1);
  });

  it("records nothing for an ensemble that no longer exists", async () => {
    const id = await newEnsemble("history-gone");
    const doc = await head(id);
    await Ensemble.deleteOne({ _id: id });
    expect(await recordEnsembleRun(doc, { status: "failed" }, run(0))).toBe(false);
    expect(await runsCollectionOf(id).countDocuments()).toBe(0);
  });
});
