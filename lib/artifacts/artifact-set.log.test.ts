import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";

/**
 * The log lines are part of the contract (operators find a model's files by
 * model_id and run_id), so they are captured here rather than trusted.
 */
const lines = vi.hoisted(() => [] as { level: string; fields: Record<string, unknown>; msg: string }[]);
vi.mock("@/lib/log", () => {
  const record = (level: string) => (fields: Record<string, unknown>, msg: string) => lines.push({ level, fields, msg });
  const fake = { info: record("info"), warn: record("warn"), error: record("error"), debug: record("debug") };
  return { logger: fake, childLogger: () => fake };
});

const { loadArtifact, saveArtifactSet } = await import("./artifact-set");
const { LocalArtifactStore } = await import("./local-store");

const root = fs.mkdtempSync(path.join(os.tmpdir(), "artifact-log-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
  lines.length = 0;
});

describe("artifact logs", () => {
  it("logs each save and load with the ids, run, path, size and time", async () => {
    const store = new LocalArtifactStore(root);
    const saved = await saveArtifactSet(store, "run-log", { model: { w: 1 }, scaler: { m: 0 } }, {}, { ensemble_id: "e1" });
    const saves = lines.filter((l) => l.msg === "artifact saved");
    expect(saves.map((l) => l.fields.path)).toEqual([saved.model.path, saved.scaler.path]);
    for (const l of saves) {
      expect(l.fields).toMatchObject({ ensemble_id: "e1", run_id: "run-log", bytes: expect.any(Number), ms: expect.any(Number) });
      expect(l.fields).not.toHaveProperty("model_id");
    }

    await loadArtifact(store, { path: saved.model.path, kind: "model" }, { model_id: "m1" });
    const load = lines.find((l) => l.msg === "artifact loaded");
    expect(load?.fields).toMatchObject({
      model_id: "m1",
      run_id: "run-log",
      path: saved.model.path,
      bytes: saved.model.bytes,
      ms: expect.any(Number),
    });
  });

  it("logs a failed load as a warning with the error's class", async () => {
    const store = new LocalArtifactStore(root);
    await expect(loadArtifact(store, { path: "none_model.json", kind: "model" })).rejects.toThrow();
    const warn = lines.find((l) => l.msg === "artifact load failed");
    expect(warn?.level).toBe("warn");
    expect(warn?.fields).toMatchObject({ path: "none_model.json", err_name: "ArtifactMissingError" });
  });
});
