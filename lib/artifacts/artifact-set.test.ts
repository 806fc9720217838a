import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { APP_NAME, APP_VERSION } from "@/lib/version";
import {
  assertSameFeatures,
  deleteArtifactSet,
  loadArtifact,
  saveArtifactSet,
  verifyArtifact,
} from "./artifact-set";
import {
  ArtifactCorruptError,
  ArtifactIncompatibleError,
  ArtifactMissingError,
  UnsafeArtifactPathError,
  UnserializableArtifactError,
} from "./errors";
import { ARTIFACT_FORMAT_VERSION, newRunId } from "./format";
import { LocalArtifactStore } from "./local-store";

let base: string;
let root: string;
let store: LocalArtifactStore;

beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), "artifact-set-"));
  root = path.join(base, "root");
  store = new LocalArtifactStore(root);
});

afterEach(() => {
  fs.rmSync(base, { recursive: true, force: true });
});

const items = {
  model: { weights: [0.5, -1.25], bias: 0.1 },
  scaler: { mean: [1, 2], std: [3, 4] },
  features: { features: ["home_elo", "away_elo"], target: "home_win" },
};

const onDisk = (rel: string) => fs.readFileSync(path.join(root, rel));
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Rewrites a saved file's JSON in place, as a hand edit or a different app version would. */
function rewrite(rel: string, change: (doc: Record<string, unknown>) => void) {
  const doc = JSON.parse(onDisk(rel).toString("utf8")) as Record<string, unknown>;
  change(doc);
  fs.writeFileSync(path.join(root, rel), JSON.stringify(doc));
}

describe("saveArtifactSet", () => {
  it("writes one enveloped file per item and returns the checksum of each file's bytes", async () => {
    const runId = newRunId();
    const saved = await saveArtifactSet(store, runId, items, { algorithm: "logistic_regression" }, { model_id: "m1" });

    expect(Object.keys(saved).sort()).toEqual(["features", "model", "scaler"]);
    for (const kind of ["model", "scaler", "features"] as const) {
      const entry = saved[kind];
      expect(entry.path).toBe(`${runId}_${kind}.json`);
      const bytes = onDisk(entry.path);
      expect(entry.bytes).toBe(bytes.length);
      expect(entry.sha256).toBe(sha(bytes));
      const envelope = JSON.parse(bytes.toString("utf8"));
      expect(envelope).toMatchObject({
        format_version: ARTIFACT_FORMAT_VERSION,
        kind,
        run_id: runId,
        produced_by: { app: APP_NAME, version: APP_VERSION, node: process.version, algorithm: "logistic_regression" },
        payload: items[kind],
      });
      expect(Number.isNaN(Date.parse(envelope.produced_by.created_at))).toBe(false);
    }
    expect(await store.list()).toEqual([saved.features.path, saved.model.path, saved.scaler.path].sort());
  });

  it("removes the files already written when the third write fails, and rethrows", async () => {
    let writes = 0;
    const failingThird = new LocalArtifactStore(root, {
      afterTempWrite: () => {
        writes += 1;
        if (writes === 3) throw new Error("disk full");
      },
    });
    await expect(saveArtifactSet(failingThird, "run-a", items, {})).rejects.toThrow("disk full");
    expect(writes).toBe(3);
    expect(await store.list()).toEqual([]);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it("writes nothing when a payload cannot be serialized, even if it is the last one", async () => {
    const bad = { ...items, features: { features: ["x"], weight: Number.POSITIVE_INFINITY } };
    await expect(saveArtifactSet(store, "run-b", bad, {})).rejects.toBeInstanceOf(UnserializableArtifactError);
    expect(fs.existsSync(root) ? fs.readdirSync(root) : []).toEqual([]);
  });

  it("refuses a bad run id without writing anything", async () => {
    for (const bad of ["../escape", "UPPER", "a/b", "a\0b", ""]) {
      await expect(saveArtifactSet(store, bad, items, {})).rejects.toBeInstanceOf(UnsafeArtifactPathError);
    }
    expect(fs.existsSync(root)).toBe(false);
    expect(fs.readdirSync(base)).toEqual([]);
  });
});

describe("loadArtifact", () => {
  it("round-trips every payload and reports its size", async () => {
    const runId = newRunId();
    const saved = await saveArtifactSet(store, runId, items, {});
    for (const kind of ["model", "scaler", "features"] as const) {
      const loaded = await loadArtifact<unknown>(store, { ...saved[kind], kind, run_id: runId });
      expect(loaded.payload).toEqual(items[kind]);
      expect(loaded.bytes).toBe(saved[kind].bytes);
      expect(loaded.ms).toBeGreaterThanOrEqual(0);
    }
  });

  it("accepts an absolute path inside the root, as older documents may hold", async () => {
    const saved = await saveArtifactSet(store, "run-abs", { model: items.model }, {});
    const loaded = await loadArtifact(store, { path: path.join(root, saved.model.path), kind: "model" });
    expect(loaded.payload).toEqual(items.model);
  });

  it("throws ArtifactMissingError naming the kind when the file is gone", async () => {
    const err = await loadArtifact(store, { path: "run-x_model.json", kind: "model" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactMissingError);
    expect((err as ArtifactMissingError).kind).toBe("model");
    expect((err as Error).message).toMatch(/model artifact "run-x_model.json" is not in the artifact store; retrain/);
  });

  it("throws ArtifactCorruptError when a byte changed, before parsing, and verifyArtifact agrees", async () => {
    const saved = await saveArtifactSet(store, "run-c", items, {});
    const file = path.join(root, saved.model.path);
    const bytes = fs.readFileSync(file);
    const flipped = Buffer.from(bytes);
    const at = flipped.indexOf("0.5");
    flipped.write("0.6", at); // still valid JSON: only the checksum can catch this
    fs.writeFileSync(file, flipped);

    const ref = { ...saved.model, kind: "model" as const, run_id: "run-c" };
    await expect(loadArtifact(store, ref)).rejects.toBeInstanceOf(ArtifactCorruptError);
    await expect(loadArtifact(store, ref)).rejects.toThrow(/SHA-256/);
    const verdict = await verifyArtifact(store, ref);
    expect(verdict.status).toBe("corrupt");
    expect(verdict.bytes).toBe(bytes.length);
    expect(verdict.reason).toMatch(/SHA-256/);
  });

  it("throws ArtifactCorruptError for truncated JSON when no checksum is recorded", async () => {
    const saved = await saveArtifactSet(store, "run-t", { model: items.model }, {});
    const file = path.join(root, saved.model.path);
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 20));
    await expect(loadArtifact(store, { path: saved.model.path, kind: "model" })).rejects.toThrow(/not valid JSON/);
  });

  it("throws ArtifactCorruptError when the file holds another kind or another run", async () => {
    const saved = await saveArtifactSet(store, "run-k", items, {});
    await expect(loadArtifact(store, { path: saved.scaler.path, kind: "model" })).rejects.toBeInstanceOf(ArtifactCorruptError);
    await expect(loadArtifact(store, { path: saved.model.path, kind: "model", run_id: "run-other" })).rejects.toThrow(
      /belongs to run run-k/,
    );
  });

  it("throws ArtifactIncompatibleError for format_version 99", async () => {
    const saved = await saveArtifactSet(store, "run-v", { model: items.model }, {});
    rewrite(saved.model.path, (doc) => {
      doc.format_version = 99;
    });
    const err = await loadArtifact(store, { path: saved.model.path, kind: "model" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArtifactIncompatibleError);
    expect((err as Error).message).toMatch(/format_version 99/);
    const verdict = await verifyArtifact(store, { path: saved.model.path, kind: "model" });
    expect(verdict).toMatchObject({ status: "corrupt", reason: expect.stringMatching(/format_version 99/) });
  });

  it("refuses unsafe references without reading anything", async () => {
    const outside = path.join(base, "outside");
    fs.mkdirSync(outside);
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(outside, "x_model.json"), JSON.stringify({ format_version: 1 }));
    fs.symlinkSync(outside, path.join(root, "escape"));
    for (const p of ["../outside/x_model.json", "/etc/passwd", "escape/x_model.json", "a\0_model.json"]) {
      await expect(loadArtifact(store, { path: p, kind: "model" })).rejects.toBeInstanceOf(UnsafeArtifactPathError);
      const verdict = await verifyArtifact(store, { path: p, kind: "model" });
      expect(verdict.status).toBe("corrupt");
      expect(verdict.bytes).toBeNull();
    }
    await expect(loadArtifact(store, { path: "ok_model.json", kind: "model", run_id: "../x" })).rejects.toBeInstanceOf(
      UnsafeArtifactPathError,
    );
  });
});

describe("verifyArtifact", () => {
  it("says present for an intact artifact, with its size", async () => {
    const saved = await saveArtifactSet(store, "run-p", { scaler: items.scaler }, {});
    expect(await verifyArtifact(store, { ...saved.scaler, kind: "scaler" })).toEqual({
      status: "present",
      bytes: saved.scaler.bytes,
    });
  });

  it("says missing for no path or no file, and never throws", async () => {
    expect((await verifyArtifact(store, { path: null, kind: "model" })).status).toBe("missing");
    expect((await verifyArtifact(store, { path: undefined, sha256: null, kind: "model" })).status).toBe("missing");
    expect(await verifyArtifact(store, { path: "gone_model.json", kind: "model" })).toMatchObject({
      status: "missing",
      bytes: null,
    });
  });

  it("says corrupt for unparsable JSON and for the wrong kind", async () => {
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, "bad_model.json"), "{nope");
    expect(await verifyArtifact(store, { path: "bad_model.json", kind: "model" })).toMatchObject({
      status: "corrupt",
      bytes: 5,
      reason: "it is not valid JSON",
    });
    const saved = await saveArtifactSet(store, "run-w", { scaler: items.scaler }, {});
    expect((await verifyArtifact(store, { path: saved.scaler.path, kind: "model" })).status).toBe("corrupt");
  });
});

describe("assertSameFeatures", () => {
  const path = "r_features.json";

  it("passes for the same list in the same order", () => {
    expect(() => assertSameFeatures(["a", "b"], ["a", "b"], path)).not.toThrow();
  });

  it.each<[string[], RegExp]>([
    [["a"], /lacks "b"/],
    [["a", "b", "c"], /has "c" that is not expected/],
    [["a", "z"], /lacks "b" and it has "z" that is not expected/],
    [["b", "a"], /different order \(position 1 is "b" where "a" is expected\)/],
    [["a", "b", "b"], /3 feature columns where 2 are expected/],
  ])("throws ArtifactIncompatibleError naming the difference for %j", (actual, why) => {
    let caught: unknown;
    try {
      assertSameFeatures(["a", "b"], actual, path);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ArtifactIncompatibleError);
    expect((caught as Error).message).toMatch(why);
    expect((caught as Error).message).toMatch(/retrain the model on the current feature list\.$/);
    expect((caught as ArtifactIncompatibleError).path).toBe(path);
  });
});

describe("deleteArtifactSet", () => {
  it("removes the listed files, skips unset paths and tolerates files already gone", async () => {
    const saved = await saveArtifactSet(store, "run-d", items, {});
    await saveArtifactSet(store, "run-keep", { model: items.model }, {});
    await deleteArtifactSet(store, [saved.model.path, saved.scaler.path, saved.features.path, null, undefined, "", "gone.json"]);
    expect(await store.list()).toEqual(["run-keep_model.json"]);
  });

  it("still removes the safe paths when one is unsafe, then throws", async () => {
    const saved = await saveArtifactSet(store, "run-e", { model: items.model }, {});
    await expect(deleteArtifactSet(store, ["../../etc/passwd", saved.model.path])).rejects.toBeInstanceOf(UnsafeArtifactPathError);
    expect(await store.list()).toEqual([]);
  });
});
