import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createEnsemble, deleteEnsemble, requestEnsembleTraining } from "@/lib/ensemble/service";
import { getJob, type JobView } from "@/lib/jobs/queue";
import { useTestEnv } from "@/lib/testing/env";
import { saveSyntheticDataset, trainingRunsOf, runsOf } from "@/lib/testing/fixtures";
import { createModelConfig, deleteModel, requestTraining, updateModelConfig } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { JobClaim } from "@/models/JobClaim";
import { Lock } from "@/models/Lock";
import { ModelConfig } from "@/models/ModelConfig";

// Real worker processes (scripts/worker.ts, as npm start runs it) killed with
// SIGKILL in the middle of a job, against the test database.
const env = useTestEnv();
const ROOT = path.resolve(__dirname, "..");

interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** The worker's JSON log lines so far. */
  logs: Array<Record<string, unknown>>;
  exited: Promise<void>;
}

const started: WorkerProcess[] = [];

function spawnWorker(extraEnv: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "info", JOB_POLL_MS: "200", JOB_STALE_MS: "60000", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Array<Record<string, unknown>> = [];
  readline.createInterface({ input: child.stdout! }).on("line", (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  });
  child.stderr!.on("data", (d: Buffer) => process.stderr.write(`[worker ${child.pid}] ${d}`));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const w = { child, pid: child.pid!, logs, exited };
  started.push(w);
  return w;
}

async function kill9(w: WorkerProcess): Promise<void> {
  w.child.kill("SIGKILL");
  await w.exited;
}

afterEach(async () => {
  for (const w of started.splice(0)) {
    if (w.child.exitCode === null && w.child.signalCode === null) {
      w.child.kill("SIGTERM");
      await w.exited;
    }
  }
});

async function waitForJob(id: string, ok: (j: JobView) => boolean, what: string, ms = 60_000): Promise<JobView> {
  const end = Date.now() + ms;
  for (;;) {
    const j = await getJob(id);
    if (ok(j)) return j;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; job is ${JSON.stringify(j)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const startsOf = (w: WorkerProcess, jobId: string) => w.logs.filter((l) => l.msg === "job started" && l.job_id === jobId);

let baseCsv = "";
let metaCsv = "";

beforeAll(async () => {
  baseCsv = (await saveSyntheticDataset("crash-base", 1200, 3)).path;
  metaCsv = (await saveSyntheticDataset("crash-meta", 300, 4)).path;
});

describe("workers killed with SIGKILL", () => {
  it("three times during an ensemble's slow-path retrain: the job fails saying so and no model stays locked", async () => {
    const rf = await createModelConfig({ name: "crash-rf", algorithm: "random_forest", hyperparameters: { n_estimators: 6, max_depth: 4, max_samples: 120 }, features: ["f1", "f2", "f3"], target: "label", training_csv: baseCsv });
    const lr = await createModelConfig({ name: "crash-lr", algorithm: "logistic_regression", features: ["f3", "f4"], target: "label", training_csv: baseCsv });
    await trainModel(rf.id);
    await trainModel(lr.id);
    const ens = await createEnsemble({ name: "crash-stack", base_model_ids: [rf.id, lr.id], meta_training_csv: metaCsv });
    // The forest's retrain with the library engine (slow on purpose) takes half a minute, and its model file is gone: a build must retrain it.
    await updateModelConfig(rf.id, { hyperparameters: { n_estimators: 300, max_depth: 8, max_samples: 800, engine: "ml-random-forest" } });
    fs.unlinkSync(path.join(env.artifactDir, (await ModelConfig.findById(rf.id).lean())!.model_artifact_path!));

    const job = await requestEnsembleTraining(ens.id);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const w = spawnWorker();
      await waitForJob(
        job.id,
        (j) => j.status === "running" && j.attempts === attempt && j.message.startsWith("retraining base model 1") && j.progress > 0.05,
        `attempt ${attempt} to be retraining`,
      );
      // Mid-retrain, the job holds both the ensemble and the base model it is retraining.
      expect((await Lock.find({}).lean()).map((l) => [String(l.target_id), l.owner]).sort()).toEqual([[ens.id, job.id], [rf.id, job.id]].sort());
      await kill9(w);
    }

    const survivor = spawnWorker();
    const failed = await waitForJob(job.id, (j) => j.status === "failed", "the job to be given up");
    expect(failed.attempts).toBe(3);
    expect(failed.error).toMatch(/interrupted 3 times \(its worker stopped while running it\), so it was given up; start it again/);
    expect(await Lock.countDocuments({})).toBe(0);
    const base = (await ModelConfig.findById(rf.id).lean())!;
    expect(base.status).toBe("failed");
    expect(base.last_error).toMatch(/interrupted 3 times/);
    expect(startsOf(survivor, job.id)).toHaveLength(0);

    // Nothing holds the base model: it can be changed, trained and deleted.
    await updateModelConfig(rf.id, { hyperparameters: { n_estimators: 6, max_depth: 4, max_samples: 120 } });
    const retrain = await requestTraining(rf.id);
    expect(retrain.status).toBe("queued");
    await waitForJob(retrain.id, (j) => j.status === "succeeded", "the model's own training");
    await deleteEnsemble(ens.id);
    await deleteModel(rf.id);
    expect(await ModelConfig.countDocuments({ _id: rf.id })).toBe(0);
  });

  it("during a training while a second worker runs: the survivor finishes it, once", async () => {
    const model = await createModelConfig({ name: "crash-solo", algorithm: "random_forest", hyperparameters: { n_estimators: 120, max_depth: 8, max_samples: 600, engine: "ml-random-forest" }, features: ["f1", "f2", "f3"], target: "label", training_csv: baseCsv });
    const workers = [spawnWorker(), spawnWorker()];
    const job = await requestTraining(model.id);
    const running = await waitForJob(job.id, (j) => j.status === "running" && j.progress > 0.1, "the training to be under way");
    const claim = await JobClaim.findById(`run:${job.id}:1`).lean();
    const victim = workers.find((w) => claim?.by.endsWith(`:${w.pid}`))!;
    const survivor = workers.find((w) => w !== victim)!;
    expect(victim).toBeDefined();
    expect(running.attempts).toBe(1);
    await kill9(victim);

    const done = await waitForJob(job.id, (j) => j.status === "succeeded" || j.status === "failed", "the survivor to finish it");
    expect(done).toMatchObject({ status: "succeeded", attempts: 2 });
    const history = await runsOf(model.id);
    expect(history.map((h) => h.status)).toEqual(["succeeded"]);
    expect((done.result as { run_id: string }).run_id).toBe(history[0].run_id);
    // Attempt 1 ran on the victim, attempt 2 on the survivor, and no attempt ran anywhere else.
    const claims = await JobClaim.find({ job_id: job.id }).sort({ at: 1 }).lean();
    expect(claims.map((c) => c._id).sort()).toEqual([`done:${job.id}`, `requeue:${job.id}:1`, `run:${job.id}:1`, `run:${job.id}:2`].sort());
    expect(claims.find((c) => c._id === `run:${job.id}:2`)?.by).toMatch(new RegExp(`:${survivor.pid}$`));
    expect(startsOf(survivor, job.id).map((l) => l.attempt)).toEqual([2]);
    expect(await Lock.countDocuments({})).toBe(0);
  });

  it("never runs a job twice when several workers poll one queue", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push((await createModelConfig({ name: `crowd-${i}`, algorithm: "logistic_regression", features: ["f1", "f2"], target: "label", training_csv: baseCsv })).id);
    }
    const workers = [spawnWorker({ WORKER_CONCURRENCY: "2" }), spawnWorker({ WORKER_CONCURRENCY: "2" }), spawnWorker({ WORKER_CONCURRENCY: "2" })];
    const jobs = [];
    for (const id of ids) jobs.push(await requestTraining(id));
    for (const j of jobs) await waitForJob(j.id, (v) => v.status === "succeeded", `job ${j.id}`);
    for (const j of jobs) {
      expect(workers.flatMap((w) => startsOf(w, j.id)), j.id).toHaveLength(1);
      expect(await JobClaim.countDocuments({ job_id: j.id, action: "run" })).toBe(1);
    }
    expect(Object.values(await trainingRunsOf(ids))).toEqual(Array(ids.length).fill(1));
    // With three workers polling, the work was shared.
    expect(workers.filter((w) => w.logs.some((l) => l.msg === "job started")).length).toBeGreaterThan(1);
  });
}, 180_000);
