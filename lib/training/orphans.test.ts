import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultArtifactStore, newRunId, saveArtifactSet } from "@/lib/artifacts";
import { useTestEnv } from "@/lib/testing/env";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { ModelConfig } from "@/models/ModelConfig";
import { removeOrphanArtifacts } from "./orphans";
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
