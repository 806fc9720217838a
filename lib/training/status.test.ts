import fs from "node:fs";
import path from "node:path";
import mongoose from "mongoose";
import { describe, expect, it, vi } from "vitest";
import { useTestEnv } from "@/lib/testing/env";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { cancelJob } from "@/lib/jobs/cancel";
import { countModels, createModelConfig, getModel, listModels, requestTraining, updateModelConfig } from "./service";
import { countEnsembles, createEnsemble, listEnsembles } from "@/lib/ensemble/service";
import { trainModel } from "./train";

const env = useTestEnv();

describe("artifact status in model listings", () => {
  it("tells present, corrupt and missing apart on every request, also after a listing was remembered", async () => {
    const ds = await saveSyntheticDataset("status-data");
    const model = await createModelConfig({ name: "status-model", algorithm: "logistic_regression", features: ["f1", "f2"], target: "label", training_csv: ds.path });
    expect((await getModel(model.id)).artifacts?.model.status).toBe("missing");
    await trainModel(model.id);

    const first = (await listModels()).models.find((m) => m.id === model.id)!;
    expect(first.artifacts_ok).toBe(true);
    expect(first.artifacts?.scaler).toMatchObject({ status: "present", bytes: expect.any(Number) });
    expect((await getModel(model.id)).artifacts?.scaler.status).toBe("present");

    const scaler = path.join(env.artifactDir, first.scaler_artifact_path!);
    const bytes = fs.readFileSync(scaler);
    bytes[bytes.length - 3] = bytes[bytes.length - 3] === 0x31 ? 0x32 : 0x31;
    fs.writeFileSync(scaler, bytes);
    const future = new Date(Date.now() + 5000);
    fs.utimesSync(scaler, future, future);
    const corrupt = await getModel(model.id);
    expect(corrupt.artifacts?.scaler.status).toBe("corrupt");
    expect(corrupt.artifacts?.scaler.reason).toMatch(/SHA-256|sha256|checksum/i);
    expect(corrupt.artifacts_ok).toBe(false);
    expect(corrupt.artifacts?.model.status).toBe("present");

    fs.unlinkSync(path.join(env.artifactDir, first.features_path!));
    const missing = (await listModels()).models.find((m) => m.id === model.id)!;
    expect(missing.artifacts?.features.status).toBe("missing");
  });
});

describe("model and ensemble listings", () => {
  it("answer a repeated page without reading the collections, and show every write through the app at once", async () => {
    const ds = await saveSyntheticDataset("listing-data");
    const a = await createModelConfig({ name: "listing-a", algorithm: "logistic_regression", features: ["f1", "f2"], target: "label", training_csv: ds.path });
    const finds = vi.spyOn(mongoose.mongo.Collection.prototype, "find");
    const modelReads = () => finds.mock.contexts.filter((c) => (c as { collectionName: string }).collectionName === "model_config_nba").length;
    try {
      expect((await listModels({ limit: 10 }, -1)).models.map((m) => m.name)).toContain("listing-a");
      const afterFirst = modelReads();
      expect(afterFirst).toBeGreaterThan(0);
      await listModels({ limit: 10 }, -1);
      await countModels();
      await countModels();
      const warm = modelReads();
      await listModels({ limit: 10 }, -1);
      expect(modelReads()).toBe(warm);

      await updateModelConfig(a.id, { name: "listing-a renamed" });
      const b = await createModelConfig({ name: "listing-b", algorithm: "logistic_regression", features: ["f1"], target: "label", training_csv: ds.path });
      const names = (await listModels({ limit: 10 }, -1)).models.map((m) => m.name);
      expect(names).toEqual(expect.arrayContaining(["listing-a renamed", "listing-b"]));
      expect(names).not.toContain("listing-a");
      expect(modelReads()).toBeGreaterThan(warm);
      const trainedBefore = (await countModels()).trained;
      await trainModel(b.id);
      expect((await countModels()).trained).toBe(trainedBefore + 1);
      // A queued job cancelled: its lock's release puts the status back, and the listing shows it at once.
      const job = await requestTraining(b.id);
      const statusOfB = async () => (await listModels({ limit: 10 }, -1)).models.find((m) => m.id === b.id)?.status;
      expect(await statusOfB()).toBe("queued");
      await cancelJob(job.id);
      expect(await statusOfB()).toBe("trained");

      // Another page is another entry: it never answers for the first.
      expect((await listModels({ limit: 1 }, -1)).models.map((m) => m.name)).toEqual(["listing-b"]);

      // Ensembles, and their count (even an estimated count reads every document on FerretDB).
      await trainModel(a.id);
      const counts = vi.spyOn(mongoose.mongo.Collection.prototype, "estimatedDocumentCount");
      const ensembleReads = () =>
        [...finds.mock.contexts, ...counts.mock.contexts].filter((c) => (c as { collectionName: string }).collectionName === "ensembles").length;
      const before = await countEnsembles();
      await listEnsembles({ limit: 5 }, -1);
      const warmEnsembles = ensembleReads();
      expect(await countEnsembles()).toBe(before);
      await listEnsembles({ limit: 5 }, -1);
      expect(ensembleReads()).toBe(warmEnsembles);
      await createEnsemble({ name: "listing-stack", base_model_ids: [a.id, b.id], meta_training_csv: ds.path });
      expect(await countEnsembles()).toBe(before + 1);
      expect((await listEnsembles({ limit: 5 }, -1)).ensembles[0]).toMatchObject({ name: "listing-stack", stale: false });
      expect(ensembleReads()).toBeGreaterThan(warmEnsembles);
      counts.mockRestore();
    } finally {
      finds.mockRestore();
    }
  });
});
