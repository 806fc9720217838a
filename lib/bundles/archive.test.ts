import fs from "node:fs";
import path from "node:path";
import { strToU8, unzipSync, zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { clearCaches } from "@/lib/cache";
import { ConflictError, ValidationError } from "@/lib/errors";
import { backToFirstDeployment, deploymentFootprint, useSecondDeployment } from "@/lib/testing/deployments";
import { useTestEnv } from "@/lib/testing/env";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { createModelConfig, predictWithModel, updateModelConfig } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { ModelConfig } from "@/models/ModelConfig";
import { ModelVersion } from "@/models/ModelVersion";
import { exportModelArchive, importArchive, unpackArchive } from "./archive";

const env = useTestEnv();
const rows = [
  { f1: 0.4, f2: -0.1, f3: 3 },
  { f1: -0.6, f2: 0.5, f3: 8 },
];
let modelId = "";
let firstRun = "";
let secondRun = "";
let firstPredictions: number[] = [];
let archive: Uint8Array;
let entries: Record<string, Uint8Array>;

beforeAll(async () => {
  const data = await saveSyntheticDataset("archive-base", 300, 17);
  const m = await createModelConfig({ name: "a-logit", algorithm: "logistic_regression", features: ["f1", "f2", "f3"], target: "label", training_csv: data.path });
  modelId = m.id;
  firstRun = (await trainModel(m.id)).result.run_id;
  firstPredictions = (await predictWithModel(m.id, { rows })).probabilities;
  // The config changes and trains again: the first version is no longer current, and its settings differ from the config's.
  await updateModelConfig(m.id, { features: ["f1", "f2"], seed: 7 });
  secondRun = (await trainModel(m.id)).result.run_id;
  expect(secondRun).not.toBe(firstRun);
  archive = (await exportModelArchive(m.id, firstRun)).bytes;
  entries = unzipSync(archive);
});

type Manifest = { format_version: number; models: Array<Record<string, unknown> & { files: Record<string, { name: string; bytes: number }> }> } & Record<string, unknown>;
const manifest = (): Manifest => JSON.parse(new TextDecoder().decode(entries["manifest.json"])) as Manifest;
/** A new archive from the real one's entries, changed by `change`. */
function rezip(change: (files: Record<string, Uint8Array>) => void): Uint8Array {
  const files = { ...entries };
  change(files);
  return zipSync(files);
}
const withManifest = (change: (m: Manifest) => void) =>
  rezip((f) => {
    const m = manifest();
    change(m);
    f["manifest.json"] = strToU8(JSON.stringify(m));
  });

/** Offsets of each central directory record in a zip (signature PK\x01\x02). */
function centralRecords(zip: Uint8Array): Array<{ at: number; name: string }> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const found: Array<{ at: number; name: string }> = [];
  for (let i = 0; i + 46 < zip.length; i++) {
    if (view.getUint32(i, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(i + 28, true);
    found.push({ at: i, name: new TextDecoder().decode(zip.subarray(i + 46, i + 46 + nameLength)) });
  }
  return found;
}

/** The real archive with one entry's central directory record changed (what unzip tools trust). */
function patchCentral(name: string, patch: (view: DataView, at: number) => void, zip = archive): Uint8Array {
  const copy = new Uint8Array(zip);
  const record = centralRecords(copy).find((r) => r.name === name)!;
  patch(new DataView(copy.buffer), record.at);
  return copy;
}

/** Renames an entry in both its local header and its central record (same length), to forge names zipSync would not write. */
function renameEntry(zip: Uint8Array, from: string, to: string): Uint8Array {
  expect(to.length).toBe(from.length);
  const copy = new Uint8Array(zip);
  const needle = strToU8(from);
  for (let i = 0; i + needle.length <= copy.length; i++) {
    if (needle.every((b, j) => copy[i + j] === b)) copy.set(strToU8(to), i);
  }
  return copy;
}

describe("version archives", () => {
  it("hold exactly the manifest and the three artifacts, with the version's own settings, lineage and checksums", async () => {
    expect(Object.keys(entries).sort()).toEqual(["features.json", "manifest.json", "model.json", "scaler.json"]);
    const m = manifest();
    expect(m).toMatchObject({ format: "nba-ensemble-lab.bundle", format_version: 1, ensemble: null });
    const model = m.models[0] as unknown as Record<string, unknown> & { version: Record<string, unknown>; checksums: Record<string, string> };
    expect(model).toMatchObject({ name: "a-logit", features: ["f1", "f2", "f3"], seed: 42, version: { run_id: firstRun } });
    expect(model.version.dataset).toMatchObject({ path: "archive-base.csv", rows: 300 });
    expect(model.version.runtime).toMatchObject({ node: process.version, format_version: 1 });
    // Exact bytes: each entry is the stored file, and its checksum is the one the version recorded.
    const version = await ModelVersion.findOne({ run_id: firstRun }).lean();
    for (const kind of ["model", "scaler", "features"] as const) {
      const stored = fs.readFileSync(path.join(env.artifactDir, version!.artifacts![kind]!.path));
      expect(Buffer.from(entries[`${kind}.json`]).equals(stored), kind).toBe(true);
      expect(model.checksums[kind]).toBe(version!.artifacts![kind]!.sha256);
      expect(m.models[0].files[kind]).toEqual({ name: `${kind}.json`, bytes: stored.length });
    }
  });

  it("round-trip an earlier version to another database and artifact folder, predicting exactly as it did", async () => {
    await useSecondDeployment("archive_second");
    try {
      expect(env.artifactDir).not.toBe(process.env.ARTIFACT_DIR);
      const imported = await importArchive(archive);
      expect(imported.models).toEqual([{ id: expect.any(String), name: "a-logit", run_id: firstRun }]);
      clearCaches();
      expect((await predictWithModel(imported.models[0].id, { rows })).probabilities).toEqual(firstPredictions);
      expect(await ModelVersion.findOne({ run_id: firstRun }).lean()).toMatchObject({ trigger: "import", status: "succeeded", features: ["f1", "f2", "f3"] });
      expect(await ModelConfig.findById(imported.models[0].id).lean()).toMatchObject({ run_id: firstRun, features: ["f1", "f2", "f3"] });
    } finally {
      await backToFirstDeployment(env);
    }
  });

  it("import under another name when the archive's name is taken there", async () => {
    await useSecondDeployment("archive_second");
    try {
      await importArchive(archive);
      const before = await deploymentFootprint();
      const taken = await importArchive(archive).catch((e: unknown) => e);
      expect(taken).toBeInstanceOf(ConflictError);
      expect(String((taken as Error).message)).toMatch(/"a-logit" already exists/);
      // Under another name the run is still here: refused, and it says where.
      const again = await importArchive(archive, { name: "a-logit-copy" }).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(ConflictError);
      expect(String((again as Error).message)).toMatch(new RegExp(`Run ${firstRun} is already here as a version of model "a-logit"`));
      expect(await deploymentFootprint()).toEqual(before);
    } finally {
      await backToFirstDeployment(env);
    }
    // A third deployment with "a-logit" taken by another model: ?name= imports it.
    await useSecondDeployment("archive_second");
    try {
      const data = await saveSyntheticDataset("other", 200, 3);
      await createModelConfig({ name: "a-logit", algorithm: "logistic_regression", features: ["f1"], target: "label", training_csv: data.path });
      const imported = await importArchive(archive, { name: "a-logit-restored" });
      expect(imported.models[0]).toMatchObject({ name: "a-logit-restored", run_id: firstRun });
      expect((await predictWithModel(imported.models[0].id, { rows })).probabilities).toEqual(firstPredictions);
    } finally {
      await backToFirstDeployment(env);
    }
  });

  it("refuse hostile archives with a 400 sentence (409 for a run already here), writing nothing", async () => {
    const forgedDigit = (bytes: Uint8Array) => {
      const text = new TextDecoder().decode(bytes);
      return strToU8(text.replace(/\d/, (d) => String((Number(d) + 1) % 10)));
    };
    const withExtra = zipSync({ ...entries, modelXjson: strToU8("{}") });
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ["JSON, not an archive", strToU8(JSON.stringify({ format: "nba-ensemble-lab.bundle" })), /not a zip archive/],
      ["a truncated archive", archive.subarray(0, Math.floor(archive.length / 2)), /not a zip archive this app can read/],
      ["an entry climbing out with ..", rezip((f) => { f["../model.json"] = f["model.json"]; delete f["model.json"]; }), /folder, '\.\.' or a drive/],
      ["an absolute entry name", rezip((f) => { f["/etc/passwd"] = strToU8("root:x:0:0"); }), /folder, '\.\.' or a drive/],
      ["an entry in a folder", rezip((f) => { f["run/model.json"] = f["model.json"]; delete f["model.json"]; }), /folder, '\.\.' or a drive/],
      ["a Windows drive name", rezip((f) => { f["C:model.json"] = f["model.json"]; delete f["model.json"]; }), /folder, '\.\.' or a drive/],
      ["an extra file", rezip((f) => { f["notes.txt"] = strToU8("hello"); }), /entry "notes.txt" that is not one of/],
      ["a file missing", rezip((f) => { delete f["scaler.json"]; }), /lacks scaler\.json/],
      ["no manifest", rezip((f) => { delete f["manifest.json"]; }), /lacks manifest\.json/],
      ["an entry twice", renameEntry(withExtra, "modelXjson", "model.json"), /model\.json twice/],
      ["a changed artifact", rezip((f) => { f["model.json"] = forgedDigit(f["model.json"]); }), /does not match its checksum/],
      ["a size that disagrees with the manifest", withManifest((m) => { m.models[0].files.scaler.bytes += 1; }), /scaler\.json is \d+ bytes but the manifest says/],
      ["an unknown format version", withManifest((m) => { m.format_version = 2; }), /format_version: must be 1/],
      ["another format", withManifest((m) => { m.format = "tarball"; }), /format: is not/],
      ["a manifest naming a file elsewhere", withManifest((m) => { m.models[0].files.model.name = "../model.json"; }), /manifest\.json is not one this app can read/],
      ["a prototype key in the manifest", rezip((f) => { f["manifest.json"] = strToU8(new TextDecoder().decode(f["manifest.json"]).replace("{", '{"__proto__":{"polluted":true},')); }), /manifest\.json is not one/],
      ["a manifest that is not JSON", rezip((f) => { f["manifest.json"] = strToU8("{nope"); }), /manifest\.json is not JSON/],
      ["an artifact that is not UTF-8", rezip((f) => { const b = new Uint8Array(f["features.json"]); b[0] = 0xff; f["features.json"] = b; }), /not UTF-8/],
      ["a hostile training_csv", withManifest((m) => { m.models[0].training_csv = "../../../etc/passwd"; }), /manifest\.json is not one/],
      ["a forged run id with a path", withManifest((m) => { (m.models[0].version as { run_id: string }).run_id = "../../x"; }), /manifest\.json is not one/],
      // A zip bomb: the entry declares 3 GB; refused before anything inflates.
      ["a declared size past the bound", patchCentral("model.json", (v, at) => v.setUint32(at + 24, 3_000_000_000, true)), /inflate to more than/],
      // An entry lying small: inflation stops at the declared size, and the short file is refused.
      ["a declared size smaller than the data", patchCentral("model.json", (v, at) => v.setUint32(at + 24, 10, true)), /model\.json is 10 bytes but the manifest says/],
      ["a compression method this app does not read", patchCentral("scaler.json", (v, at) => v.setUint16(at + 10, 12, true)), /not a zip archive this app can read|method this app does not read/],
    ];
    expect(cases.length).toBeGreaterThanOrEqual(10);
    const before = await deploymentFootprint();
    for (const [what, bytes, message] of cases) {
      const err = await importArchive(bytes, { name: "hostile-copy" }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, what).toBeInstanceOf(ValidationError);
      expect(String((err as Error).message), what).toMatch(message);
      expect(String((err as Error).message), what).not.toMatch(/\/(tmp|work|etc)\//);
      expect(await deploymentFootprint(), what).toEqual(before);
    }
    // Within a bound of 100 bytes even the real archive would inflate too far.
    expect(() => unpackArchive(archive, 100)).toThrow(/inflate to more than 100 bytes/);
    // The run is already here (this deployment exported it): 409, nothing written.
    const here = await importArchive(archive, { name: "hostile-copy" }).catch((e: unknown) => e);
    expect(here).toBeInstanceOf(ConflictError);
    expect(await deploymentFootprint()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuse exporting a run the model does not have", async () => {
    await expect(exportModelArchive(modelId, "no-such-run")).rejects.toThrow(/no-such-run/);
    await expect(exportModelArchive(modelId, "../../etc")).rejects.toThrow();
    expect((await exportModelArchive(modelId, secondRun)).fileName).toBe(`a-logit-${secondRun}.bundle.zip`);
  });
});
