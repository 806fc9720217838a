import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultArtifactStore, verifyArtifact } from "@/lib/artifacts";
import { clearCaches } from "@/lib/cache";
import { buildEnsemble } from "@/lib/ensemble/build";
import { predictWithEnsemble } from "@/lib/ensemble/load";
import { createEnsemble, getEnsemble } from "@/lib/ensemble/service";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { useTestEnv } from "@/lib/testing/env";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { Dataset } from "@/models/Dataset";
import { ModelConfig } from "@/models/ModelConfig";
import { ModelVersion } from "@/models/ModelVersion";
import { MODEL_ARTIFACT_KINDS } from "./artifact-refs";
import { deleteDatasetChecked } from "./datasets";
import { loadTrainedModel } from "./load";
import { createModelConfig, getModel, predictWithModel, updateModelConfig } from "./service";
import { trainModel } from "./train";
import { promoteVersion, sweepVersions } from "./versions";

const env = useTestEnv();
const admin = { id: "u1", name: "Ada" };
const rows = [
  { f1: 0.3, f2: -0.2 },
  { f1: -0.7, f2: 0.9 },
];
let dataset = "";
let metaDataset = "";

beforeAll(async () => {
  dataset = (await saveSyntheticDataset("versions-base", 300, 5)).path;
  metaDataset = (await saveSyntheticDataset("versions-meta", 200, 6)).path;
});

async function model(name: string, csv = dataset) {
  return createModelConfig({ name, algorithm: "logistic_regression", features: ["f1", "f2"], target: "label", training_csv: csv });
}

/** Every artifact of every version that is still available verifies. */
async function everyRecordedVersionLoads(modelId: string): Promise<void> {
  const store = defaultArtifactStore();
  for (const v of await ModelVersion.find({ model_id: modelId, status: "succeeded", retired_at: null }).lean()) {
    for (const kind of MODEL_ARTIFACT_KINDS) {
      const a = v.artifacts![kind]!;
      expect((await verifyArtifact(store, { path: a.path, sha256: a.sha256, kind, run_id: v.run_id })).status, `${v.run_id} ${kind}`).toBe("present");
    }
  }
  const doc = await ModelConfig.findById(modelId).lean();
  clearCaches();
  if (doc?.run_id) await loadTrainedModel(doc); // the current version loads too
}

describe("versions", () => {
  it("every training run is a version; promoting the first moves the seed's fields back, stales the ensemble, and predicts exactly as before", async () => {
    const m = await model("v-rollback");
    const other = await model("v-partner");
    await trainModel(other.id);
    const first = (await trainModel(m.id, { startedBy: admin })).result;
    const before = (await predictWithModel(m.id, { rows })).probabilities;
    const firstDoc = await ModelConfig.findById(m.id).lean();

    // A retrain with other settings: a second version, the pointer on it, and nothing deleted.
    await updateModelConfig(m.id, { hyperparameters: { l2: 5 } });
    const second = (await trainModel(m.id)).result;
    const versions = (await getModel(m.id)).versions;
    expect(versions.map((v) => [v.run_id, v.current])).toEqual([
      [second.run_id, true],
      [first.run_id, false],
    ]);
    expect(versions[1]).toMatchObject({ started_by: admin, dataset: { path: dataset, rows: 300 }, runtime: { node: process.version } });
    expect(versions[1].dataset?.sha256).toBe((await Dataset.findOne({ path: dataset }).lean())?.sha256);
    await everyRecordedVersionLoads(m.id);
    expect((await predictWithModel(m.id, { rows })).probabilities).not.toEqual(before);

    const ensemble = await createEnsemble({ name: "v-stack", base_model_ids: [m.id, other.id], meta_training_csv: metaDataset });
    await buildEnsemble(ensemble.id);
    expect((await getEnsemble(ensemble.id)).stale).toBe(false);

    const moved = await promoteVersion(m.id, first.run_id, admin);
    expect(moved).toMatchObject({ from: second.run_id, to: first.run_id });
    const after = await ModelConfig.findById(m.id).lean();
    for (const field of ["model_artifact_path", "scaler_artifact_path", "features_path", "run_id"] as const) expect(after?.[field]).toBe(firstDoc?.[field]);
    expect(after?.checksums).toEqual(firstDoc?.checksums);
    expect(after?.artifacts_saved_at).toBeInstanceOf(Date);
    expect(after?.promotions.at(-1)).toMatchObject({ by: admin, from: second.run_id, to: first.run_id });
    clearCaches();
    expect((await predictWithModel(m.id, { rows })).probabilities).toEqual(before);
    expect((await getEnsemble(ensemble.id)).stale).toBe(true);
    await expect(predictWithEnsemble(ensemble.id, { rows: [{ f1: 0, f2: 0 }] })).rejects.toBeInstanceOf(ConflictError);
    // Rebuilding uses the current versions.
    const rebuilt = await buildEnsemble(ensemble.id);
    expect(rebuilt.base.find((b) => b.model_id === m.id)?.run_id).toBe(first.run_id);
  });

  it("refuses to promote what cannot serve: an unknown run, a failed run, the current one, damaged artifacts", async () => {
    const m = await model("v-refusals");
    const first = (await trainModel(m.id)).result;
    const second = (await trainModel(m.id)).result;
    await ModelConfig.updateOne({ _id: m.id }, { $set: { training_csv: "gone.csv" } });
    await expect(trainModel(m.id)).rejects.toThrow(/does not exist/);
    const failed = (await ModelVersion.findOne({ model_id: m.id, status: "failed" }).lean())!;
    const pointer = async () => (await ModelConfig.findById(m.id).lean())?.run_id;

    await expect(promoteVersion(m.id, "no-such-run", admin)).rejects.toBeInstanceOf(NotFoundError);
    await expect(promoteVersion(m.id, failed.run_id, admin)).rejects.toThrow(/failed; only a successful run/);
    await expect(promoteVersion(m.id, second.run_id, admin)).rejects.toThrow(/already the current version/);
    const scaler = path.join(env.artifactDir, (await ModelVersion.findOne({ run_id: first.run_id }).lean())!.artifacts!.scaler!.path);
    fs.appendFileSync(scaler, " ");
    await expect(promoteVersion(m.id, first.run_id, admin)).rejects.toThrow(/scaler artifact is corrupt/);
    expect(await pointer()).toBe(second.run_id);
  });

  it("keeps the newest KEEP_VERSIONS versions, the current one and any an ensemble's latest build uses, and retires the rest", async () => {
    const m = await model("v-retention");
    const partner = await model("v-retention-partner");
    await trainModel(partner.id);
    const runs: string[] = [];
    runs.push((await trainModel(m.id)).result.run_id);
    const ensemble = await createEnsemble({ name: "v-retention-stack", base_model_ids: [m.id, partner.id], meta_training_csv: metaDataset });
    await buildEnsemble(ensemble.id); // its latest build uses runs[0]
    for (let i = 0; i < 3; i++) runs.push((await trainModel(m.id)).result.run_id);
    await promoteVersion(m.id, runs[1], admin); // current: an older one

    const { retired } = await sweepVersions(2);
    // Kept: the two newest (runs[3], runs[2]), the current (runs[1]) and the ensemble's (runs[0]): nothing of m retired.
    expect(retired.filter((r) => runs.includes(r))).toEqual([]);
    await trainModel(m.id); // runs[4], current again
    const latest = (await ModelConfig.findById(m.id).lean())!.run_id!;
    const swept = await sweepVersions(2);
    // runs[1] is neither among the two newest, nor current, nor used: retired with its files; runs[0] stays for the ensemble.
    expect(swept.retired.filter((r) => runs.includes(r) || r === latest).sort()).toEqual([runs[1], runs[2]].sort());
    const byRun = new Map((await ModelVersion.find({ model_id: m.id }).lean()).map((v) => [v.run_id, v]));
    for (const r of [runs[1], runs[2]]) {
      expect(byRun.get(r)?.retired_at).toBeInstanceOf(Date);
      for (const kind of MODEL_ARTIFACT_KINDS) expect(fs.existsSync(path.join(env.artifactDir, byRun.get(r)!.artifacts![kind]!.path))).toBe(false);
    }
    for (const r of [runs[0], runs[3], latest]) expect(byRun.get(r)?.retired_at).toBeNull();
    await everyRecordedVersionLoads(m.id);
    await expect(promoteVersion(m.id, runs[1], admin)).rejects.toThrow(/removed by the retention sweep/);
  });

  it("when the current version's files and the dataset are both gone, the error names the newest intact earlier version and the promote call", async () => {
    const csv = (await saveSyntheticDataset("versions-doomed", 200, 9)).path;
    const m = await model("v-doomed", csv);
    const partner = await model("v-doomed-partner");
    await trainModel(partner.id);
    const first = (await trainModel(m.id)).result;
    const second = (await trainModel(m.id)).result;
    fs.rmSync(path.join(env.artifactDir, second.paths.model));
    await Dataset.deleteOne({ path: csv });
    const ensemble = await createEnsemble({ name: "v-doomed-stack", base_model_ids: [partner.id, m.id], meta_training_csv: metaDataset }).catch(() => null);
    // createEnsemble checks the meta dataset only; build it and read the refusal.
    expect(ensemble).not.toBeNull();
    const err = await buildEnsemble(ensemble!.id).catch((e: Error) => e);
    expect(String(err)).toMatch(new RegExp(`newest intact earlier version is run ${first.run_id}`));
    expect(String(err)).toContain(`POST /api/models/${m.id}/versions/${first.run_id}/promote`);
  });
});

describe("deleting a dataset", () => {
  it("is refused naming the models that train on it; force is allowed only when their current artifacts verify, and marks them not retrainable", async () => {
    const csv = (await saveSyntheticDataset("versions-deletable", 200, 11)).path;
    const a = await model("d-a", csv);
    const b = await model("d-b", csv);
    await trainModel(a.id);
    await trainModel(b.id);
    await expect(deleteDatasetChecked(csv, false)).rejects.toThrow(/trains the models "d-a", "d-b"/);
    const bFiles = await ModelConfig.findById(b.id).lean();
    fs.rmSync(path.join(env.artifactDir, bFiles!.features_path!));
    await expect(deleteDatasetChecked(csv, true)).rejects.toThrow(/"d-b".*features artifact is missing/);
    expect(await Dataset.exists({ path: csv })).not.toBeNull();
    await trainModel(b.id);
    expect(await deleteDatasetChecked(csv, true)).toEqual({ deleted: true, not_retrainable: ["d-a", "d-b"] });
    expect(await Dataset.exists({ path: csv })).toBeNull();
    // Gone already: 404 however many models still name it, and nothing is flagged again.
    await ModelConfig.updateOne({ _id: b.id }, { $set: { retrainable: true } });
    for (const force of [false, true]) await expect(deleteDatasetChecked(csv, force)).rejects.toBeInstanceOf(NotFoundError);
    expect((await getModel(b.id)).retrainable).toBe(true);
    expect((await getModel(a.id)).retrainable).toBe(false);
    expect((await predictWithModel(a.id, { rows })).probabilities).toHaveLength(2);
    await expect(trainModel(a.id)).rejects.toThrow(/cannot be retrained: its dataset/);
    // An ensemble's meta training data blocks even a forced delete.
    const partner = await model("d-partner");
    await trainModel(partner.id);
    await createEnsemble({ name: "d-stack", base_model_ids: [partner.id, (await model("d-c")).id], meta_training_csv: metaDataset }).catch(() => undefined);
    await expect(deleteDatasetChecked(metaDataset, true)).rejects.toThrow(/meta training data of the ensembles? .*"d-stack"/);
  });
});

/** Runs a step in a process of its own and kills it with SIGKILL `ms` after the step starts; true when it finished first. */
function killedAfter(step: "sweep" | "promote", args: string[], ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "lib/testing/steps.ts", step, ...args], {
      cwd: path.resolve(__dirname, "../.."),
      env: process.env,
      stdio: ["pipe", "pipe", "ignore"],
    });
    let finished = false;
    let timer: NodeJS.Timeout | undefined;
    child.stdout!.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      if (text.includes("ready")) {
        child.stdin!.write("go\n");
        timer = setTimeout(() => child.kill("SIGKILL"), ms);
      }
      if (text.includes("done")) finished = true;
    });
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(finished);
    });
  });
}

describe("a process killed with SIGKILL", () => {
  it("during retention sweeps and promotes leaves every recorded version loadable", { timeout: 180_000 }, async () => {
    const m = await model("v-crash");
    const runs: string[] = [];
    for (let i = 0; i < 6; i++) runs.push((await trainModel(m.id)).result.run_id);
    // Kill at spread-out moments from each step's start: before, during and after its writes.
    const outcomes: boolean[] = [];
    for (const [i, ms] of [0, 3, 8, 15, 30, 60, 120, 400, 1500, 5000].entries()) {
      outcomes.push(await killedAfter("promote", [m.id, runs[i % 4]], ms));
      await everyRecordedVersionLoads(m.id);
      outcomes.push(await killedAfter("sweep", [String(5 - (i % 4))], ms));
      await everyRecordedVersionLoads(m.id);
    }
    // Some steps were cut short, so the checks above saw interrupted work.
    expect(outcomes.some((finished) => !finished)).toBe(true);
    // The pointer always names a version whose files are all there.
    const doc = await ModelConfig.findById(m.id).lean();
    expect(runs).toContain(doc?.run_id);
    // And some steps got far enough to change something.
    const retired = await ModelVersion.countDocuments({ model_id: m.id, retired_at: { $ne: null } });
    expect(retired + (doc?.promotions.length ?? 0)).toBeGreaterThan(0);
  });
});
