import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@/lib/testing/env";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { createModelConfig, getModel, listModels } from "./service";
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
