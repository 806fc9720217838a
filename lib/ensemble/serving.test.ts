import { spawn } from "node:child_process";
import path from "node:path";
import mongoose from "mongoose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ConflictError } from "@/lib/errors";
import { JsonBytes } from "@/lib/json-body";
import { createRng } from "@/lib/ml/random";
import { bodiesReadInHalves } from "@/lib/ml/scoring-thread";
import { useTestEnv } from "@/lib/testing/env";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { HEAD_MAX_AGE_MS } from "@/lib/training/serving";
import { createModelConfig, getModel, predictWithModel } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { promoteVersion } from "@/lib/training/versions";
import { Ensemble } from "@/models/Ensemble";
import { buildEnsemble } from "./build";
import { predictWithEnsemble } from "./load";
import { createEnsemble, getEnsemble } from "./service";

useTestEnv();
const row = { f1: 0.2, f2: -0.4, f3: 5, f4: 0.5 };
let ids: string[] = [];
let ensembleId = "";

beforeAll(async () => {
  const data = await saveSyntheticDataset("serving", 300, 17);
  for (const [name, features] of [["s-a", ["f1", "f2"]], ["s-b", ["f3", "f4"]]] as const) {
    const m = await createModelConfig({ name, algorithm: "logistic_regression", features: [...features], target: "label", training_csv: data.path });
    await trainModel(m.id);
    ids.push(m.id);
  }
  ensembleId = (await createEnsemble({ name: "s-stack", base_model_ids: ids, meta_training_csv: data.path })).id;
  await buildEnsemble(ensembleId);
});

const queries: string[] = [];
afterEach(() => mongoose.set("debug", false));

function runInAnotherProcess(...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "lib/testing/steps.ts", ...args], { cwd: path.resolve(__dirname, "../.."), env: process.env, stdio: ["pipe", "pipe", "inherit"] });
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && child.stdin!.write("go\n"));
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`step exited with ${code}`))));
  });
}

describe("serving an ensemble", () => {
  it("costs one read of the serving stamp once its build is in memory, shared by concurrent requests", async () => {
    // The first request loads the build; the next reads its base models' runs once, remembered under the stamp.
    await predictWithEnsemble(ensembleId, { rows: [row] });
    queries.length = 0;
    mongoose.set("debug", (collection: string, method: string) => void queries.push(`${collection}.${method}`));
    await predictWithEnsemble(ensembleId, { rows: [row] });
    expect(queries.filter((q) => q.startsWith("model_config_nba.")).length).toBeLessThanOrEqual(ids.length);
    mongoose.set("debug", false);
    queries.length = 0;
    mongoose.set("debug", (collection: string, method: string) => void queries.push(`${collection}.${method}`));
    const { probabilities } = await predictWithEnsemble(ensembleId, { rows: [row] });
    expect(probabilities).toHaveLength(1);
    expect(queries).toEqual(["serving_stamps.findOne"]);
    queries.length = 0;
    const answers = await Promise.all(Array.from({ length: 16 }, () => predictWithEnsemble(ensembleId, { rows: [row] })));
    expect(answers.every((a) => a.probabilities.length === 1)).toBe(true);
    // One read goes out at once; the other fifteen share the next one, which starts after they asked.
    expect(queries).toEqual(["serving_stamps.findOne", "serving_stamps.findOne"]);
  });

  it("sends the stamp's read while the body is still arriving, and still refuses a bad body first", async () => {
    const modelRow = { f1: 0.2, f2: -0.4 };
    await predictWithModel(ids[0], { rows: [modelRow] });
    await predictWithEnsemble(ensembleId, { rows: [row] });
    const cases = [
      { predict: (body: unknown) => predictWithModel(ids[0], body), body: { rows: [modelRow] } },
      { predict: (body: unknown) => predictWithEnsemble(ensembleId, body), body: { rows: [row] } },
    ];
    for (const { predict, body } of cases) {
      queries.length = 0;
      mongoose.set("debug", (collection: string, method: string) => void queries.push(`${collection}.${method}`));
      let deliver!: (body: unknown) => void;
      const answer = predict(new Promise((resolve) => (deliver = resolve)));
      await vi.waitFor(() => expect(queries).toEqual(["serving_stamps.findOne"]));
      deliver(body);
      await expect(answer).resolves.toMatchObject({ probabilities: [expect.any(Number)] });
      expect(queries).toEqual(["serving_stamps.findOne"]);
      mongoose.set("debug", false);
    }
    // The read already on its way changes nothing for a bad body or an unknown id.
    await expect(predictWithModel(ids[0], Promise.resolve({ rows: [] }))).rejects.toThrow(/not valid/);
    await expect(predictWithEnsemble("not-an-id", Promise.resolve({ rows: "x" }))).rejects.toThrow(/not valid/);
    await expect(predictWithEnsemble("not-an-id", Promise.resolve({ rows: [row] }))).rejects.toThrow(/not found|no ensemble/i);
  });

  it("refuses at once when another process promotes a base model's earlier version", async () => {
    await buildEnsemble(ensembleId);
    await expect(predictWithEnsemble(ensembleId, { rows: [row] })).resolves.toMatchObject({ probabilities: [expect.any(Number)] });
    const versions = await mongoose.connection.collection("model_versions").find({ model_id: new mongoose.Types.ObjectId(ids[1]), status: "succeeded" }).sort({ started_at: 1 }).toArray();
    expect(versions.length).toBeGreaterThan(0);
    // Retrain in this process first so that there is an earlier version to go back to.
    await trainModel(ids[1]);
    await buildEnsemble(ensembleId);
    await expect(predictWithEnsemble(ensembleId, { rows: [row] })).resolves.toMatchObject({ probabilities: [expect.any(Number)] });
    await runInAnotherProcess("promote", ids[1], versions[0].run_id as string);
    await expect(predictWithEnsemble(ensembleId, { rows: [row] })).rejects.toThrow(/stale/);
  });

  it("refuses when a base model moved though a build ending at that moment cleared the ensemble's stale mark", async () => {
    await buildEnsemble(ensembleId);
    await expect(predictWithEnsemble(ensembleId, { rows: [row] })).resolves.toMatchObject({ probabilities: [expect.any(Number)] });
    await trainModel(ids[1]); // marks the ensemble stale, then moves the model to its new run
    // What a build of the ensemble that had read its base models before that retrain writes at its end: stale no more.
    await Ensemble.updateOne({ _id: ensembleId }, { $set: { stale: false } });
    await expect(predictWithEnsemble(ensembleId, { rows: [row] })).rejects.toThrow(/stale/);
    expect((await getEnsemble(ensembleId)).stale).toBe(true);
    await buildEnsemble(ensembleId);
    await expect(predictWithEnsemble(ensembleId, { rows: [row] })).resolves.toMatchObject({ probabilities: [expect.any(Number)] });
  });

  it("answers a base model's predictions from the version current when the request arrives, after another process retrains it", async () => {
    const before = await predictWithModel(ids[0], { rows: [{ f1: 0.2, f2: -0.4 }] });
    await runInAnotherProcess("train", ids[0]);
    const current = (await getModel(ids[0])).run_id;
    expect(current).not.toBe(before.run_id);
    await expect(predictWithModel(ids[0], { rows: [{ f1: 0.2, f2: -0.4 }] })).resolves.toMatchObject({ run_id: current });
  });

  it("sees a write made behind the models' back within the documented bound", async () => {
    await buildEnsemble(ensembleId);
    await predictWithEnsemble(ensembleId, { rows: [row] });
    // A raw write does not move the stamp: the remembered head holds until it is HEAD_MAX_AGE_MS old.
    await mongoose.connection.collection("ensembles").updateOne({ _id: new mongoose.Types.ObjectId(ensembleId) }, { $set: { stale: true } });
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + HEAD_MAX_AGE_MS + 1 });
    try {
      await expect(predictWithEnsemble(ensembleId, { rows: [row] })).rejects.toThrow(/stale/);
    } finally {
      vi.useRealTimers();
    }
    await buildEnsemble(ensembleId);
  });

  it("refuses at once when another process retrains a base model, though the build is still in this process's memory", async () => {
    await predictWithEnsemble(ensembleId, { rows: [row] });
    await runInAnotherProcess("train", ids[0]);
    await expect(predictWithEnsemble(ensembleId, { rows: [row] })).rejects.toBeInstanceOf(ConflictError);
    expect((await getEnsemble(ensembleId)).stale).toBe(true);
    // A rebuild serves again; promoting the earlier version back keeps it refused until the next rebuild.
    await buildEnsemble(ensembleId);
    await expect(predictWithEnsemble(ensembleId, { rows: [row] })).resolves.toMatchObject({ probabilities: [expect.any(Number)] });
    const versions = await mongoose.connection.collection("model_versions").find({ model_id: new mongoose.Types.ObjectId(ids[0]), status: "succeeded" }).sort({ started_at: 1 }).toArray();
    await promoteVersion(ids[0], versions[0].run_id as string, { id: "t", name: "test" });
    await expect(predictWithEnsemble(ensembleId, { rows: [row] })).rejects.toThrow(/stale/);
  });
});

describe("serving a large body read in two halves", () => {
  it("refuses at once when another process retrains a base model, though the scoring thread still holds the old build", async () => {
    const data = await saveSyntheticDataset("serving-halves", 600, 23);
    const forests: string[] = [];
    for (const [name, features] of [["h-a", ["f1", "f2", "f3"]], ["h-b", ["f2", "f3", "f4"]]] as const) {
      const m = await createModelConfig({
        name,
        algorithm: "random_forest",
        features: [...features],
        target: "label",
        training_csv: data.path,
        hyperparameters: { n_estimators: 80, max_depth: 7 },
      });
      await trainModel(m.id);
      forests.push(m.id);
    }
    const id = (await createEnsemble({ name: "h-stack", base_model_ids: forests, meta_training_csv: data.path })).id;
    await buildEnsemble(id);
    const rnd = createRng(5);
    const rows = Array.from({ length: 3000 }, () => ({ f1: rnd() * 2 - 1, f2: rnd() * 2 - 1, f3: rnd() * 10, f4: rnd() }));
    const body = () => new JsonBytes(Buffer.from(JSON.stringify({ rows })));
    // The first requests are read whole and hand the ensemble to the scoring thread; then bodies are read in halves.
    const { probabilities: whole, run_id: firstRun } = await predictWithEnsemble(id, { rows });
    const before = bodiesReadInHalves();
    for (let attempt = 0; attempt < 100 && bodiesReadInHalves() === before; attempt++) {
      expect((await predictWithEnsemble(id, body())).probabilities).toEqual(whole);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(bodiesReadInHalves()).toBeGreaterThan(before);

    await runInAnotherProcess("train", forests[0]);
    const halvesBefore = bodiesReadInHalves();
    await expect(predictWithEnsemble(id, body())).rejects.toBeInstanceOf(ConflictError);
    expect(bodiesReadInHalves()).toBe(halvesBefore);
    // Rebuilt: answered again, by the new build (the same seed retrains the same trees, so the same numbers).
    await buildEnsemble(id);
    const rebuilt = await predictWithEnsemble(id, body());
    expect(rebuilt.run_id).not.toBe(firstRun);
    expect(rebuilt.probabilities).toEqual(whole);
  }, 120_000);
});
