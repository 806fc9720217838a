import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { readDatasetText } from "@/lib/datasets";
import { ConflictError, ValidationError } from "@/lib/errors";
import { parseCsv } from "@/lib/ml/csv";
import { ModelPipeline } from "@/lib/ml/pipeline";
import { useTestEnv } from "@/lib/testing/env";
import { boundedCache, clearCaches } from "@/lib/cache";
import { resetConfigForTests } from "@/lib/config";
import { SMALL_FOREST, countingStore, runsOf, saveSyntheticDataset, trainingRunsOf } from "@/lib/testing/fixtures";
import { createModelConfig } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { removeOrphanArtifacts } from "@/lib/training/orphans";
import { promoteVersion } from "@/lib/training/versions";
import { Dataset } from "@/models/Dataset";
import { Ensemble } from "@/models/Ensemble";
import { ModelConfig } from "@/models/ModelConfig";
import { readRunHistory } from "./runs";
import { buildEnsemble } from "./build";
import { predictWithEnsemble } from "./load";
import { createEnsemble, getEnsemble } from "./service";

const env = useTestEnv();

let baseCsv = "";
let metaCsv = "";

async function makeBases(prefix: string): Promise<string[]> {
  const specs = [
    { name: `${prefix}-lr`, algorithm: "logistic_regression", features: ["f1", "f2"] },
    { name: `${prefix}-rf`, algorithm: "random_forest", features: ["f2", "f3", "f4"], hyperparameters: SMALL_FOREST },
    { name: `${prefix}-all`, algorithm: "logistic_regression", features: ["f1", "f2", "f3", "f4"] },
  ];
  const ids: string[] = [];
  for (const s of specs) {
    const m = await createModelConfig({ ...s, target: "label", training_csv: baseCsv });
    await trainModel(m.id);
    ids.push(m.id);
  }
  return ids;
}

async function makeEnsemble(name: string, ids: string[]) {
  return createEnsemble({ name, base_model_ids: ids, meta_model_type: "logistic_regression", meta_training_csv: metaCsv });
}

const artifactFile = (rel: string | null | undefined) => path.join(env.artifactDir, rel as string);

beforeAll(async () => {
  baseCsv = (await saveSyntheticDataset("ens-base", 400, 3)).path;
  metaCsv = (await saveSyntheticDataset("ens-meta", 300, 4)).path;
});

describe("building an ensemble from saved base models", () => {
  it("loads every base model from its artifacts and trains none of them", async () => {
    const ids = await makeBases("fast");
    const ens = await makeEnsemble("fast-stack", ids);
    const before = await trainingRunsOf(ids);
    const result = await buildEnsemble(ens.id);
    expect(await trainingRunsOf(ids)).toEqual(before);
    expect(result.base.map((b) => b.source)).toEqual(["artifact", "artifact", "artifact"]);
    const doc = await Ensemble.findById(ens.id).lean();
    const runs = await readRunHistory(doc!);
    expect(runs).toHaveLength(1);
    const run = runs[0];
    expect(run.status).toBe("succeeded");
    expect(run.total_ms).toBeGreaterThan(0);
    expect(run.meta_ms).toBeGreaterThan(0);
    expect(run.base.every((b) => b.source === "artifact" && b.ms >= 0)).toBe(true);
    expect(run.metrics?.accuracy).toBeGreaterThan(0.6);
    expect(fs.existsSync(artifactFile(doc?.meta_model_artifact_path))).toBe(true);
    expect(fs.existsSync(artifactFile(doc?.manifest_artifact_path))).toBe(true);

    // A second ensemble over the same models reads nothing from disk.
    const other = await makeEnsemble("fast-stack-2", ids);
    const counting = countingStore(env.artifactDir);
    const second = await buildEnsemble(other.id, { store: counting.store });
    expect(second.base.map((b) => b.source)).toEqual(["artifact", "artifact", "artifact"]);
    // Only the new ensemble's own two artifacts are written; no base model file is read.
    expect(counting.reads()).toEqual([]);
  });

  it("retrains only the model whose artifact file was deleted, then loads all of them next time", async () => {
    const ids = await makeBases("deleted");
    const ens = await makeEnsemble("deleted-stack", ids);
    const victim = await ModelConfig.findById(ids[1]).lean();
    fs.unlinkSync(artifactFile(victim?.scaler_artifact_path));

    const result = await buildEnsemble(ens.id);
    expect(result.base.map((b) => b.source)).toEqual(["artifact", "retrained", "artifact"]);
    expect(result.base[1].note).toMatch(/not in the artifact store|missing/i);
    const fresh = await ModelConfig.findById(ids[1]).lean();
    expect(fresh?.run_id).not.toBe(victim?.run_id);
    for (const p of [fresh?.model_artifact_path, fresh?.scaler_artifact_path, fresh?.features_path]) {
      expect(fs.existsSync(artifactFile(p))).toBe(true);
    }
    expect((await runsOf(ids[1])).at(-1)?.trigger).toBe("ensemble");

    const before = await trainingRunsOf(ids);
    const next = await buildEnsemble(ens.id);
    expect(next.base.map((b) => b.source)).toEqual(["artifact", "artifact", "artifact"]);
    expect(await trainingRunsOf(ids)).toEqual(before);
  });

  it("detects a corrupted artifact, retrains that model and says why", async () => {
    const ids = await makeBases("corrupt");
    const ens = await makeEnsemble("corrupt-stack", ids);
    await buildEnsemble(ens.id); // loads (and caches) every base model
    const victim = await ModelConfig.findById(ids[0]).lean();
    const file = artifactFile(victim?.model_artifact_path);
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    fs.writeFileSync(file, bytes);

    const result = await buildEnsemble(ens.id);
    expect(result.base.map((b) => b.source)).toEqual(["retrained", "artifact", "artifact"]);
    expect(result.base[0].note).toMatch(/corrupt/i);
    const doc = await Ensemble.findById(ens.id).lean();
    expect((await readRunHistory(doc!)).at(-1)?.base[0].note).toMatch(/corrupt/i);
  });

  it("fails with a message naming the model when its artifacts and CSV are both gone, saving nothing", async () => {
    const ids = await makeBases("gone");
    const ens = await makeEnsemble("gone-stack", ids);
    const victim = await ModelConfig.findById(ids[2]).lean();
    fs.unlinkSync(artifactFile(victim?.model_artifact_path));
    await ModelConfig.updateOne({ _id: ids[2] }, { $set: { training_csv: "deleted-dataset.csv" } });
    const filesBefore = fs.readdirSync(env.artifactDir).sort();

    await expect(buildEnsemble(ens.id)).rejects.toThrow(/"gone-all".*deleted-dataset\.csv/s);
    const doc = await Ensemble.findById(ens.id).lean();
    expect(doc?.status).toBe("failed");
    expect(doc?.run_id).toBeNull();
    expect(doc?.meta_model_artifact_path).toBeNull();
    expect(doc?.last_error).toMatch(/gone-all/);
    expect((await readRunHistory(doc!)).at(-1)?.status).toBe("failed");
    expect(fs.readdirSync(env.artifactDir).sort()).toEqual(filesBefore);
  });

  it("does not retrain a base model whose training would now exceed MAX_TRAINING_SECONDS, and says so", async () => {
    const ids = await makeBases("limit");
    const ens = await makeEnsemble("limit-stack", ids);
    const victim = await ModelConfig.findById(ids[1]).lean();
    fs.unlinkSync(artifactFile(victim?.model_artifact_path));
    const before = await trainingRunsOf(ids);
    process.env.MAX_TRAINING_SECONDS = "0.000001";
    resetConfigForTests();
    try {
      await expect(buildEnsemble(ens.id)).rejects.toThrow(/"limit-rf" cannot be used: .*MAX_TRAINING_SECONDS/s);
    } finally {
      delete process.env.MAX_TRAINING_SECONDS;
      resetConfigForTests();
    }
    expect(await trainingRunsOf(ids)).toEqual(before);
    expect((await Ensemble.findById(ens.id).lean())?.status).toBe("failed");
    // Under the default limit the same build retrains it.
    expect((await buildEnsemble(ens.id)).base.map((b) => b.source)).toEqual(["artifact", "retrained", "artifact"]);
  });

  it("fails on a missing meta CSV before retraining any base model for it", async () => {
    const ids = await makeBases("no-meta");
    const gone = await saveSyntheticDataset("ens-meta-gone", 120, 5);
    const ens = await createEnsemble({ name: "no-meta-stack", base_model_ids: ids, meta_training_csv: gone.path });
    const victim = await ModelConfig.findById(ids[0]).lean();
    fs.unlinkSync(artifactFile(victim?.model_artifact_path));
    await Dataset.deleteOne({ path: gone.path });
    const before = await trainingRunsOf(ids);

    await expect(buildEnsemble(ens.id)).rejects.toThrow(/ens-meta-gone.*does not exist/);
    expect(await trainingRunsOf(ids)).toEqual(before);
  });

  it("rebuilds from the base models and meta CSV its document names now, not the ones the previous build read", async () => {
    const ids = await makeBases("recompose");
    const first = await saveSyntheticDataset("recompose-a", 200, 6);
    const second = await saveSyntheticDataset("recompose-b", 280, 7);
    const ens = await createEnsemble({ name: "recompose-stack", base_model_ids: ids.slice(0, 2), meta_training_csv: first.path });
    const before = await buildEnsemble(ens.id);
    expect(before.base.map((b) => b.model_id)).toEqual(ids.slice(0, 2));

    // Changed by another process between two builds in this one; the first CSV is gone as well.
    await Ensemble.updateOne({ _id: ens.id }, { $set: { base_model_ids: [ids[2], ids[0]], meta_training_csv: second.path } });
    await Dataset.deleteOne({ path: first.path });
    const after = await buildEnsemble(ens.id);
    expect(after.base.map((b) => b.model_id)).toEqual([ids[2], ids[0]]);
    expect(after.metrics.n).toBe(Math.round(280 * 0.25));
    const doc = await Ensemble.findById(ens.id).lean();
    expect(doc?.manifest?.map((m) => String(m.model_id))).toEqual([ids[2], ids[0]]);
  });

  it("leaves the previous build's files to the hourly sweep, which removes them once unreferenced and an hour old", async () => {
    const ids = await makeBases("sweep");
    const ens = await makeEnsemble("sweep-stack", ids);
    await buildEnsemble(ens.id);
    const first = (await Ensemble.findById(ens.id).lean())!;
    await buildEnsemble(ens.id);
    const second = (await Ensemble.findById(ens.id).lean())!;
    const firstFiles = [first.meta_model_artifact_path, first.manifest_artifact_path].map(artifactFile);
    const secondFiles = [second.meta_model_artifact_path, second.manifest_artifact_path].map(artifactFile);
    expect(firstFiles).not.toEqual(secondFiles);
    expect([...firstFiles, ...secondFiles].every((f) => fs.existsSync(f))).toBe(true);
    // Within the hour they stay; after it, the files nothing points at go (other tests' leftovers too), the current build's stay.
    expect((await removeOrphanArtifacts()).removed).not.toContain(first.meta_model_artifact_path);
    expect(firstFiles.every((f) => fs.existsSync(f))).toBe(true);
    const { removed } = await removeOrphanArtifacts({ now: Date.now() + 2 * 60 * 60 * 1000 });
    expect(removed).toEqual(expect.arrayContaining([first.meta_model_artifact_path, first.manifest_artifact_path]));
    expect(removed).not.toContain(second.meta_model_artifact_path);
    expect(removed).not.toContain(second.manifest_artifact_path);
    expect(firstFiles.some((f) => fs.existsSync(f))).toBe(false);
    expect(secondFiles.every((f) => fs.existsSync(f))).toBe(true);
    await expect(predictWithEnsemble(ens.id, { rows: [{ f1: 0.1, f2: 0.2, f3: 0.3, f4: 0.4 }] })).resolves.toMatchObject({ run_id: second.run_id });
  });

  it("predicts from its reloaded artifacts exactly what it predicted at build time", async () => {
    const ids = await makeBases("exact");
    const ens = await makeEnsemble("exact-stack", ids);
    const result = await buildEnsemble(ens.id);
    clearCaches();
    const table = parseCsv(await readDatasetText(metaCsv));
    const rows = result.check.rows.map((r) =>
      Object.fromEntries(["f1", "f2", "f3", "f4"].map((f) => [f, Number(table.rows[r][table.columns.indexOf(f)])])),
    );
    const before = await trainingRunsOf(ids);
    const { probabilities } = await predictWithEnsemble(ens.id, { rows });
    expect(probabilities).toEqual(result.check.probabilities);
    expect(await trainingRunsOf(ids)).toEqual(before);

    // Bad rows are the request's fault: 400s that name the rows, never a 500 or a huge body.
    const extreme = [rows[0], { ...rows[1], f4: 1.7e308 }];
    await expect(predictWithEnsemble(ens.id, { rows: extreme })).rejects.toThrow(/^rows\[1\]: "f4" is 1\.7e\+308, too far from the values/);
    const missing = Array.from({ length: 10_000 }, () => ({ f1: 1 }));
    const err = await predictWithEnsemble(ens.id, { rows: missing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(Object.keys((err as ValidationError).fields)).toHaveLength(5);
    expect((err as ValidationError).message).toMatch(/^10,000 of 10,000 rows do not have exactly these features/);
  });

  it("is stale once a base model is retrained, and refuses to predict until rebuilt", async () => {
    const ids = await makeBases("stale");
    const ens = await makeEnsemble("stale-stack", ids);
    await buildEnsemble(ens.id);
    const row = { f1: 0.1, f2: -0.2, f3: 4, f4: 0.5 };
    await expect(predictWithEnsemble(ens.id, { rows: [row] })).resolves.toMatchObject({ probabilities: [expect.any(Number)] });
    expect((await getEnsemble(ens.id)).stale).toBe(false);

    await trainModel(ids[1]);
    const view = await getEnsemble(ens.id);
    expect(view.stale).toBe(true);
    expect(view.stale_models.map((m) => m.model_id)).toEqual([ids[1]]);
    await expect(predictWithEnsemble(ens.id, { rows: [row] })).rejects.toBeInstanceOf(ConflictError);
    await expect(predictWithEnsemble(ens.id, { rows: [row] })).rejects.toThrow(/Rebuild/);

    await buildEnsemble(ens.id);
    expect((await getEnsemble(ens.id)).stale).toBe(false);
    await expect(predictWithEnsemble(ens.id, { rows: [row] })).resolves.toBeTruthy();
  });

  it("is stale when a base model is retrained while it builds, and stays so when that model's built run comes back", async () => {
    const ids = await makeBases("race");
    const ens = await makeEnsemble("race-stack", ids);
    const builtWith = (await ModelConfig.findById(ids[1]).lean())!.run_id as string;
    let retrained = false;
    // After the build has read its base models' configs and loaded them, before it records its end.
    await buildEnsemble(ens.id, {
      onProgress: async (fraction) => {
        if (fraction === 0.75 && !retrained) {
          retrained = true;
          await trainModel(ids[1]);
        }
      },
    });
    expect(retrained).toBe(true);
    const row = { f1: 0.1, f2: -0.2, f3: 4, f4: 0.5 };
    expect((await getEnsemble(ens.id)).stale_models.map((m) => m.model_id)).toEqual([ids[1]]);
    await expect(predictWithEnsemble(ens.id, { rows: [row] })).rejects.toBeInstanceOf(ConflictError);

    // The build's own run made current again: the models match the manifest, but the build never saw them settled.
    await promoteVersion(ids[1], builtWith, { id: "t", name: "test" });
    const view = await getEnsemble(ens.id);
    expect(view.stale_models).toEqual([]);
    expect(view.stale).toBe(true);
    await expect(predictWithEnsemble(ens.id, { rows: [row] })).rejects.toThrow(/Rebuild/);
  });
});

describe("the meta rows a build keeps between builds", () => {
  afterEach(() => vi.restoreAllMocks());

  /** How many times base models score rows during `fn`. */
  async function scoringCalls<T>(fn: () => Promise<T>): Promise<{ result: T; calls: number }> {
    const spy = vi.spyOn(ModelPipeline.prototype, "predictProba");
    try {
      const result = await fn();
      return { result, calls: spy.mock.calls.length };
    } finally {
      spy.mockRestore();
    }
  }

  /** The same build with nothing kept, in memory or on disk: what the kept scores must reproduce bit for bit. */
  async function coldBuild(ensembleId: string) {
    clearCaches();
    process.env.CACHE_MAX_MB = "0";
    resetConfigForTests();
    try {
      return await buildEnsemble(ensembleId);
    } finally {
      delete process.env.CACHE_MAX_MB;
      resetConfigForTests();
    }
  }

  const newestHoldout = async (ensembleId: string) => (await readRunHistory((await Ensemble.findById(ensembleId).lean())!)).at(-1)?.holdout;
  const keptFiles = () =>
    ["meta-rows", "meta-scores"].flatMap((kind) => {
      const dir = path.join(env.dataDir, ".derived", kind);
      return fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
    });

  it("finds on disk, in a new process, the meta rows and scores an earlier one kept: parses and scores nothing", async () => {
    clearCaches();
    const ids = await makeBases("disk");
    const ens = await makeEnsemble("disk-stack", ids);
    const first = await scoringCalls(() => buildEnsemble(ens.id));
    expect(first.calls).toBe(3);
    const firstHoldout = await newestHoldout(ens.id);
    expect(firstHoldout).toBeTruthy();
    expect(keptFiles().length).toBeGreaterThanOrEqual(4);

    clearCaches(); // what a new process holds in memory: nothing
    const again = await scoringCalls(() => buildEnsemble(ens.id));
    expect(again.calls).toBe(0);
    expect(boundedCache("parsed-datasets", 4).size).toBe(0);
    expect(again.result.check).toEqual(first.result.check);
    expect(again.result.metrics).toEqual(first.result.metrics);
    expect(again.result.base.map((b) => b.metrics)).toEqual(first.result.base.map((b) => b.metrics));
    expect(await newestHoldout(ens.id)).toEqual(firstHoldout);

    const cold = await coldBuild(ens.id);
    expect(cold.check).toEqual(first.result.check);
    expect(await newestHoldout(ens.id)).toEqual(firstHoldout);
  });

  it("still checks the meta CSV against its checksum when everything derived from it is kept", async () => {
    clearCaches();
    const ids = await makeBases("kept-check");
    const csv = await saveSyntheticDataset("ens-meta-kept-check", 200, 6);
    const ens = await createEnsemble({ name: "kept-check-stack", base_model_ids: ids, meta_training_csv: csv.path });
    await buildEnsemble(ens.id);
    const file = path.join(env.dataDir, (await Dataset.findOne({ path: csv.path }).lean())!.file!);
    fs.appendFileSync(file, "1,2,3,4,1\n");
    clearCaches();
    await expect(buildEnsemble(ens.id)).rejects.toThrow(/changed on disk since it was uploaded/);
    fs.rmSync(file);
    clearCaches();
    await expect(buildEnsemble(ens.id)).rejects.toThrow(/does not exist/);
  });

  it("derives again what a damaged file on disk held, and keeps it again", async () => {
    clearCaches();
    const ids = await makeBases("damaged");
    const ens = await makeEnsemble("damaged-stack", ids);
    const first = await buildEnsemble(ens.id);
    for (const file of keptFiles()) {
      const bytes = fs.readFileSync(file);
      bytes[bytes.length - 1] ^= 0xff;
      fs.writeFileSync(file, bytes);
    }
    clearCaches();
    const again = await scoringCalls(() => buildEnsemble(ens.id));
    expect(again.calls).toBe(3);
    expect(again.result.check).toEqual(first.check);
    expect(again.result.metrics).toEqual(first.metrics);
    clearCaches();
    expect((await scoringCalls(() => buildEnsemble(ens.id))).calls).toBe(0);
  });

  it("scores nothing again for the same base model runs and meta CSV, even with the loaded models dropped", async () => {
    clearCaches();
    const ids = await makeBases("kept");
    const ens = await makeEnsemble("kept-stack", ids);
    const first = await scoringCalls(() => buildEnsemble(ens.id));
    expect(first.calls).toBe(3);

    clearCaches(["loaded-models"]);
    const again = await scoringCalls(() => buildEnsemble(ens.id));
    expect(again.result.base.map((b) => b.source)).toEqual(["artifact", "artifact", "artifact"]);
    expect(again.calls).toBe(0);
    expect(again.result.check).toEqual(first.result.check);
    expect(again.result.metrics).toEqual(first.result.metrics);
  });

  it("scores a retrained base model again (a new run_id), and only that one", async () => {
    clearCaches();
    const ids = await makeBases("retrained");
    const ens = await makeEnsemble("retrained-stack", ids);
    const before = await buildEnsemble(ens.id);
    // Another penalty, so the new run predicts differently and stale scores would show in the result.
    await ModelConfig.updateOne({ _id: ids[2] }, { $set: { hyperparameters: { l2: 5 } } });
    await trainModel(ids[2]);

    const after = await scoringCalls(() => buildEnsemble(ens.id));
    expect(after.calls).toBe(1);
    expect(after.result.base[2].run_id).not.toBe(before.base[2].run_id);
    expect(after.result.base[2].metrics).not.toEqual(before.base[2].metrics);
    const cold = await coldBuild(ens.id);
    expect(after.result.check).toEqual(cold.check);
    expect(after.result.base.map((b) => b.metrics)).toEqual(cold.base.map((b) => b.metrics));
  });

  it("scores every base model again on another meta CSV", async () => {
    clearCaches();
    const ids = await makeBases("other-meta");
    const ens = await makeEnsemble("other-meta-stack", ids);
    await buildEnsemble(ens.id);
    const otherCsv = (await saveSyntheticDataset("ens-meta-other", 260, 9)).path;
    const other = await createEnsemble({ name: "other-meta-stack-2", base_model_ids: ids, meta_model_type: "logistic_regression", meta_training_csv: otherCsv });

    const built = await scoringCalls(() => buildEnsemble(other.id));
    expect(built.calls).toBe(3);
    expect(built.result.base.every((b) => b.metrics?.n === Math.round(260 * 0.25))).toBe(true);
    const cold = await coldBuild(other.id);
    expect(built.result.check).toEqual(cold.check);
  });
});
