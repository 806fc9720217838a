import fs from "node:fs";
import path from "node:path";
import mongoose from "mongoose";
import { describe, expect, it } from "vitest";
import { defaultArtifactStore, newRunId, saveArtifactSet } from "@/lib/artifacts";
import { useTestEnv } from "@/lib/testing/env";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { Dataset } from "@/models/Dataset";
import { ModelConfig } from "@/models/ModelConfig";
import { removeOrphanArtifacts, sweepLeftovers } from "./orphans";
import { createModelConfig } from "./service";
import { trainModel } from "./train";

const env = useTestEnv();

describe("orphan artifacts", () => {
  it("removes old files no document points at, and keeps referenced, recent and foreign files", async () => {
    const ds = await saveSyntheticDataset("orphans-data");
    const model = await createModelConfig({ name: "orphans-model", algorithm: "logistic_regression", features: ["f1"], target: "label", training_csv: ds.path });
    await trainModel(model.id);
    const store = defaultArtifactStore();
    // What a crash between writing the files and updating the document leaves behind.
    const old = await saveArtifactSet(store, newRunId(), { model: { x: 1 }, scaler: { x: 2 }, features: { features: ["f1"] } }, {});
    const recent = await saveArtifactSet(store, newRunId(), { model: { x: 3 } }, {});
    const past = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const a of Object.values(old)) fs.utimesSync(path.join(env.artifactDir, a.path), past, past);
    fs.writeFileSync(path.join(env.artifactDir, "notes.txt"), "not an artifact");
    fs.utimesSync(path.join(env.artifactDir, "notes.txt"), past, past);

    const { removed } = await removeOrphanArtifacts();
    expect(removed.sort()).toEqual(Object.values(old).map((a) => a.path).sort());
    expect(fs.existsSync(path.join(env.artifactDir, recent.model.path))).toBe(true);
    expect(fs.existsSync(path.join(env.artifactDir, "notes.txt"))).toBe(true);
    const doc = await ModelConfig.findById(model.id).lean();
    for (const p of [doc?.model_artifact_path, doc?.scaler_artifact_path, doc?.features_path]) {
      expect(fs.existsSync(path.join(env.artifactDir, p!))).toBe(true);
    }
  });
});

describe("the hourly sweep", () => {
  it("removes temporary files older than an hour from both folders, abandoned upload claims, and nothing else", async () => {
    const past = new Date(Date.now() - 2 * 60 * 60 * 1000);
    const aged = (file: string, text = "partial") => {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      fs.utimesSync(file, past, past);
      return file;
    };
    const oldTemps = [
      aged(path.join(env.dataDir, ".tmp-0123456789abcdef.csv")),
      aged(path.join(env.artifactDir, ".tmp-a1b2c3d4e5f6-20260101-000000-000-abcdefabcdef_model.json")),
      aged(path.join(env.artifactDir, "nested", ".tmp-a1b2c3d4e5f6-x_scaler.json")),
    ];
    const freshTemps = [path.join(env.dataDir, ".tmp-fedcba9876543210.csv"), path.join(env.artifactDir, ".tmp-ffffffffffff-y_model.json")];
    for (const f of freshTemps) fs.writeFileSync(f, "in progress");
    const kept = [aged(path.join(env.dataDir, "notes.txt")), aged(path.join(env.artifactDir, ".gitkeep"))];
    // An upload that claimed its name and died, long ago, with its file in place.
    const id = new mongoose.Types.ObjectId();
    const abandoned = aged(path.join(env.dataDir, `gone~${String(id)}.csv`), "a,b\n1,0\n");
    await Dataset.collection.insertOne({ _id: id, path: "gone.csv", file: path.basename(abandoned), state: "pending", columns: ["a", "b"], rows: 1, bytes: 8, sha256: "0".repeat(64), createdAt: past, updatedAt: past });
    // A dataset in use is never touched, however old its file.
    const ds = await saveSyntheticDataset("sweep-keeps-this");
    const doc = await Dataset.findOne({ path: ds.path }).lean();
    const live = path.join(env.dataDir, doc!.file!);
    fs.utimesSync(live, past, past);

    await sweepLeftovers();
    for (const f of [...oldTemps, abandoned]) expect(fs.existsSync(f), f).toBe(false);
    for (const f of [...freshTemps, ...kept, live]) expect(fs.existsSync(f), f).toBe(true);
    expect(await Dataset.countDocuments({ path: "gone.csv" })).toBe(0);
    expect(await Dataset.countDocuments({ path: ds.path })).toBe(1);
  });
});
