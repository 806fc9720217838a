import { spawn } from "node:child_process";
import path from "node:path";
import mongoose from "mongoose";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConflictError } from "@/lib/errors";
import { useTestEnv } from "@/lib/testing/env";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { createModelConfig } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { promoteVersion } from "@/lib/training/versions";
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
  it("costs one database read once its build is in memory", async () => {
    await predictWithEnsemble(ensembleId, { rows: [row] });
    queries.length = 0;
    mongoose.set("debug", (collection: string, method: string) => void queries.push(`${collection}.${method}`));
    const { probabilities } = await predictWithEnsemble(ensembleId, { rows: [row] });
    expect(probabilities).toHaveLength(1);
    expect(queries).toEqual(["ensembles.findOne"]);
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
