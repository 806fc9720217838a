import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LocalArtifactStore, newRunId } from "@/lib/artifacts";
import { readDatasetText } from "@/lib/datasets";
import { parseCsv, toNumericMatrix } from "@/lib/ml/csv";
import { useTestEnv } from "@/lib/testing/env";
import { SMALL_FOREST, saveSyntheticDataset, runsOf } from "@/lib/testing/fixtures";
import { ModelConfig } from "@/models/ModelConfig";
import { clearCaches } from "@/lib/cache";
import { fitAndMeasure } from "@/lib/ml/pipeline";
import { loadTrainedModel } from "./load";
import { createModelConfig } from "./service";
import { saveArtifactsForTrainedModel, trainModel } from "./train";

const env = useTestEnv();

function sha256(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

describe("training saves artifacts", () => {
  it("writes all three files, with checksums that match, and records them on the config", async () => {
    const ds = await saveSyntheticDataset("train-save");
    const model = await createModelConfig({
      name: "forest-save",
      algorithm: "random_forest",
      hyperparameters: SMALL_FOREST,
      features: ["f1", "f2", "f3"],
      target: "label",
      training_csv: ds.path,
    });
    const { result } = await trainModel(model.id);
    const doc = await ModelConfig.findById(model.id).lean();
    expect(doc?.run_id).toBe(result.run_id);
    expect(doc?.artifacts_saved_at).toBeInstanceOf(Date);
    expect(doc?.status).toBe("trained");
    for (const [field, kind] of [["model_artifact_path", "model"], ["scaler_artifact_path", "scaler"], ["features_path", "features"]] as const) {
      const rel = doc?.[field] as string;
      expect(rel).toBe(`${result.run_id}_${kind}.json`);
      const file = path.join(env.artifactDir, rel);
      expect(fs.existsSync(file)).toBe(true);
      expect(doc?.checksums?.[kind]).toBe(sha256(file));
    }
    expect(doc?.metrics?.accuracy).toBeGreaterThan(0.6);
    expect(await runsOf(model.id)).toEqual([{ run_id: result.run_id, status: "succeeded", trigger: "manual", error: null }]);
  });

  it("a model loaded from artifacts predicts exactly what the in-memory model predicted", async () => {
    const ds = await saveSyntheticDataset("train-exact", 300, 11);
    for (const algorithm of ["random_forest", "logistic_regression"] as const) {
      const spec = {
        algorithm,
        hyperparameters: algorithm === "random_forest" ? SMALL_FOREST : {},
        features: ["f1", "f2", "f3", "f4"],
        target: "label",
        calibration: "sigmoid" as const,
        seed: 5,
      };
      const created = await createModelConfig({ ...spec, name: `exact-${algorithm}`, training_csv: ds.path });
      const { X, y } = toNumericMatrix(parseCsv(await readDatasetText(ds.path)), spec);
      const { pipeline, metrics } = await fitAndMeasure(X, y, spec);
      const inMemory = pipeline.predictProba(X);
      await saveArtifactsForTrainedModel(
        { modelId: created.id, runId: newRunId(), spec: { ...spec, hyperparameters: {} }, trigger: "manual", startedBy: null, startedAt: new Date(), dataset: null },
        pipeline,
        { metrics, training_ms: 1 },
      );
      clearCaches();
      const doc = await ModelConfig.findById(created.id).lean();
      const loaded = await loadTrainedModel(doc!);
      expect(loaded.pipeline.predictProba(X)).toEqual(inMemory);
      // The calibration is part of what was saved, not only of the in-memory model.
      expect(pipeline.toArtifacts().model.calibration?.type).toBe("sigmoid");
    }
  });

  it("a retrain interrupted while writing leaves the previous artifacts and fields valid", async () => {
    const ds = await saveSyntheticDataset("train-crash");
    const model = await createModelConfig({
      name: "crash-model",
      algorithm: "logistic_regression",
      features: ["f1", "f2"],
      target: "label",
      training_csv: ds.path,
    });
    await trainModel(model.id);
    const before = await ModelConfig.findById(model.id).lean();
    const rows = toNumericMatrix(parseCsv(await readDatasetText(ds.path)), { features: ["f1", "f2"], target: "label" }).X;
    clearCaches();
    const expected = (await loadTrainedModel(before!)).pipeline.predictProba(rows);

    const crashing = new LocalArtifactStore(env.artifactDir, {
      afterTempWrite: () => {
        throw new Error("simulated crash after the temporary file was written");
      },
    });
    await expect(trainModel(model.id, { store: crashing })).rejects.toThrow(/simulated crash/);

    const after = await ModelConfig.findById(model.id).lean();
    expect(after?.run_id).toBe(before?.run_id);
    expect(after?.model_artifact_path).toBe(before?.model_artifact_path);
    expect(after?.checksums).toEqual(before?.checksums);
    expect(after?.status).toBe("failed");
    // An unplanned error is stored as a fixed sentence (its own message may name server folders; it goes to the log).
    expect(after?.last_error).toBe("Something went wrong on the server; the error was logged.");
    // Nothing half-saved: every file on disk belongs to a run some config points at, and no temp file remains.
    const referenced = new Set(
      (await ModelConfig.find().lean()).flatMap((d) => [d.model_artifact_path, d.scaler_artifact_path, d.features_path]),
    );
    const files = fs.readdirSync(env.artifactDir);
    expect(files.filter((f) => f.startsWith(".tmp"))).toEqual([]);
    expect(files.filter((f) => !f.startsWith(".") && !referenced.has(f))).toEqual([]);
    clearCaches();
    expect((await loadTrainedModel(after!)).pipeline.predictProba(rows)).toEqual(expected);
  });
});
