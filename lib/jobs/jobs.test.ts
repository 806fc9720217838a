import os from "node:os";
import mongoose from "mongoose";
import { describe, expect, it } from "vitest";
import { ConflictError } from "@/lib/errors";
import { useTestEnv } from "@/lib/testing/env";
import { SMALL_FOREST, saveSyntheticDataset, trainingRunsOf, runsOf } from "@/lib/testing/fixtures";
import { createModelConfig, deleteModel, requestTraining, updateModelConfig } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { Job } from "@/models/Job";
import { JobClaim } from "@/models/JobClaim";
import { Lock } from "@/models/Lock";
import { ModelConfig } from "@/models/ModelConfig";
import { jobHandlers } from "@/scripts/job-handlers";
import { cancelJob } from "./cancel";
import { lockTarget, sweepLocks } from "./locks";
import { getJob } from "./queue";
import { JobLostError } from "./errors";
import { claimNextJob, finishJob, recoverJobs, runClaimedJob, runNextJob, type JobHandlers } from "./runner";
import { startWorker } from "./worker";

useTestEnv();

async function newModel(name: string, extra: Record<string, unknown> = {}) {
  const ds = await saveSyntheticDataset(`jobs-${name}`, 200);
  return createModelConfig({ name, algorithm: "logistic_regression", features: ["f1", "f2"], target: "label", training_csv: ds.path, ...extra });
}

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const locksOn = (id: string) => Lock.countDocuments({ target_id: new mongoose.Types.ObjectId(id) });
const statusOf = async (id: string) => (await ModelConfig.findById(id).lean())?.status;
/** A pid no process has: a worker that has died. */
const DEAD_WORKER = `${os.hostname()}:2147483646`;

/** Leaves a requested job as a worker that then died would: claimed for its next attempt and marked running. */
async function runByDeadWorker(jobId: string, heartbeatAgoMs = 0) {
  const job = (await Job.findById(jobId).lean())!;
  const attempt = job.attempts + 1;
  await JobClaim.create({ _id: `run:${jobId}:${attempt}`, job_id: job._id, action: "run", attempt, by: DEAD_WORKER });
  const beat = new Date(Date.now() - heartbeatAgoMs);
  await Job.updateOne({ _id: job._id }, { $set: { status: "running", attempts: attempt, worker: DEAD_WORKER, started_at: beat, heartbeat_at: beat } });
  await ModelConfig.updateOne({ _id: job.target_id }, { $set: { status: "training" } });
}

describe("jobs", () => {
  it("go queued -> running -> succeeded, with progress recorded and the lock released", async () => {
    const model = await newModel("lifecycle");
    const job = await requestTraining(model.id);
    expect(job.status).toBe("queued");
    expect(await statusOf(model.id)).toBe("queued");
    expect(await Lock.findOne({ target_id: model.id }).lean()).toMatchObject({ owner: job.id, key: `target:model_config_nba:${model.id}` });

    const seen: string[] = [];
    const handlers: JobHandlers = {
      ...jobHandlers,
      train_model: async (id, ctx) => {
        seen.push((await getJob(job.id)).status);
        return jobHandlers.train_model(id, ctx);
      },
    };
    expect(await runNextJob(handlers)).toBe(job.id);
    const done = await getJob(job.id);
    expect(seen).toEqual(["running"]);
    expect(done).toMatchObject({ status: "succeeded", progress: 1, attempts: 1, cancel_requested: false });
    expect((done.result as { run_id: string }).run_id).toMatch(/^[a-z0-9-]+$/);
    expect(await statusOf(model.id)).toBe("trained");
    expect(await locksOn(model.id)).toBe(0);
    // Nothing else is queued, and the finished job is never taken again.
    expect(await runNextJob(handlers)).toBeNull();
  });

  it("refuses a second train request while one is queued (409), and a change or delete too", async () => {
    const model = await newModel("concurrent");
    const first = await requestTraining(model.id);
    await expect(requestTraining(model.id)).rejects.toBeInstanceOf(ConflictError);
    await expect(updateModelConfig(model.id, { seed: 7 })).rejects.toThrow(/is training; wait until it finishes before changing it/);
    await expect(deleteModel(model.id)).rejects.toBeInstanceOf(ConflictError);
    expect(await Job.countDocuments({ target_id: new mongoose.Types.ObjectId(model.id) })).toBe(1);
    await runNextJob(jobHandlers);
    const again = await requestTraining(model.id);
    expect(again.id).not.toBe(first.id);
    await runNextJob(jobHandlers);
    expect((await getJob(again.id)).status).toBe("succeeded");
  });

  it("records a failure with its message and releases the model", async () => {
    const model = await newModel("failing");
    await ModelConfig.updateOne({ _id: model.id }, { $set: { training_csv: "gone-missing.csv" } });
    const job = await requestTraining(model.id);
    await runNextJob(jobHandlers);
    const failed = await getJob(job.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/gone-missing\.csv/);
    const doc = await ModelConfig.findById(model.id).lean();
    expect(doc?.status).toBe("failed");
    expect(doc?.last_error).toMatch(/does not exist/);
    expect(await locksOn(model.id)).toBe(0);
  });

  it("gives each queued job to exactly one of several concurrent claimers", async () => {
    const model = await newModel("claimed-once");
    const job = await requestTraining(model.id);
    const claims = await Promise.all(Array.from({ length: 8 }, () => claimNextJob()));
    const winners = claims.filter((c) => c !== null);
    expect(winners).toHaveLength(1);
    expect(String(winners[0]!._id)).toBe(job.id);
    expect(await JobClaim.countDocuments({ job_id: job.id, action: "run" })).toBe(1);
    expect((await getJob(job.id)).status).toBe("running");
    // Leave no running job behind for the tests that follow.
    await Job.updateOne({ _id: job.id }, { $set: { status: "failed", finished_at: new Date() } });
    await sweepLocks();
  });

  it("requeues a job whose heartbeat stopped, once, however many workers look at the same time", async () => {
    const model = await newModel("stale");
    const job = await requestTraining(model.id);
    await runByDeadWorker(job.id, 600_000);
    const looks = await Promise.all(Array.from({ length: 5 }, () => recoverJobs(60_000)));
    expect(looks.flatMap((l) => l.requeued)).toEqual([job.id]);
    expect(await JobClaim.countDocuments({ job_id: job.id, action: "requeue" })).toBe(1);
    expect(await getJob(job.id)).toMatchObject({ status: "queued", attempts: 1 });
    // The job keeps its lock while it waits for its next attempt.
    expect(await locksOn(model.id)).toBe(1);
    expect(await runNextJob(jobHandlers)).toBe(job.id);
    expect(await getJob(job.id)).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(await locksOn(model.id)).toBe(0);
  });

  it("requeues at once a job whose worker process on this host has exited, but not a live worker's", async () => {
    const dead = await requestTraining((await newModel("dead-worker")).id);
    await runByDeadWorker(dead.id);
    const aliveModel = await newModel("live-worker");
    const alive = await requestTraining(aliveModel.id);
    await runByDeadWorker(alive.id);
    // The test runner's parent process stands in for a live worker.
    await Job.updateOne({ _id: alive.id }, { $set: { worker: `${os.hostname()}:${process.ppid}` } });
    const out = await recoverJobs(60_000);
    expect(out.requeued).toContain(dead.id);
    expect(out.requeued).not.toContain(alive.id);
    expect((await getJob(alive.id)).status).toBe("running");
    await cancelJob(dead.id);
    await Job.updateOne({ _id: alive.id }, { $set: { heartbeat_at: new Date(0) } });
    await cancelJob(alive.id);
    await recoverJobs(60_000);
    expect((await getJob(alive.id)).status).toBe("cancelled");
    expect(await statusOf(aliveModel.id)).toBe("untrained");
  });

  it("fails a job interrupted three times, saying so, and releases every lock it held", async () => {
    const model = await newModel("doomed");
    const job = await requestTraining(model.id);
    for (let attempt = 1; attempt <= 3; attempt++) {
      await runByDeadWorker(job.id, 600_000);
      const out = await recoverJobs(60_000);
      if (attempt < 3) expect(out.requeued).toEqual([job.id]);
      else expect(out.failed).toEqual([job.id]);
    }
    const failed = await getJob(job.id);
    expect(failed).toMatchObject({ status: "failed", attempts: 3 });
    expect(failed.error).toMatch(/interrupted 3 times/);
    const doc = await ModelConfig.findById(model.id).lean();
    expect(doc?.status).toBe("failed");
    expect(doc?.last_error).toMatch(/interrupted 3 times/);
    expect(await locksOn(model.id)).toBe(0);
    // The model can be trained again.
    const next = await requestTraining(model.id);
    await runNextJob(jobHandlers);
    expect((await getJob(next.id)).status).toBe("succeeded");
  });

  it("finishes a job once, whoever tries to at the same time", async () => {
    const model = await newModel("finish-once");
    const job = await requestTraining(model.id);
    const claimed = (await claimNextJob())!;
    const wins = await Promise.all(Array.from({ length: 6 }, (_, i) => finishJob(claimed, { status: "failed", error: `finisher ${i}` })));
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect((await getJob(job.id)).error).toBe(`finisher ${wins.indexOf(true)}`);
    expect(await JobClaim.countDocuments({ job_id: job.id, action: "done" })).toBe(1);
    expect(await locksOn(model.id)).toBe(0);
  });

  it("completes a finish whose worker died between deciding and writing it", async () => {
    const model = await newModel("finish-interrupted");
    const job = await requestTraining(model.id);
    await runByDeadWorker(job.id);
    const outcome = { status: "failed", error: "the data was bad", message: "failed" };
    await JobClaim.create({ _id: `done:${job.id}`, job_id: job.id, action: "done", attempt: 1, by: DEAD_WORKER, outcome, at: new Date(Date.now() - 60_000) });
    const out = await recoverJobs(60_000);
    expect(out.completed).toEqual([job.id]);
    expect(out.requeued).toEqual([]);
    expect(await getJob(job.id)).toMatchObject({ status: "failed", error: "the data was bad" });
    expect(await ModelConfig.findById(model.id).lean()).toMatchObject({ status: "failed", last_error: "the data was bad" });
    expect(await locksOn(model.id)).toBe(0);
  });

  it("writes progress at most every half second, the first after the job has run that long, and leaves 1 to its end", async () => {
    const model = await newModel("quiet-progress");
    const job = await requestTraining(model.id);
    const claimed = (await claimNextJob())!;
    const writes: string[] = [];
    const handlers = (ms: number): JobHandlers => ({
      ...jobHandlers,
      train_model: async (_id, ctx) => {
        const end = Date.now() + ms;
        for (const f of [0.1, 0.5, 0.9]) {
          await ctx.progress(f, `at ${f}`);
          await new Promise((r) => setTimeout(r, Math.max(0, (end - Date.now()) / 3)));
        }
        await ctx.progress(1, "done here");
        return { ok: true };
      },
    });
    mongoose.set("debug", (collection: string, method: string) => void writes.push(`${collection}.${method}`));
    try {
      await runClaimedJob(claimed, handlers(150));
    } finally {
      mongoose.set("debug", false);
    }
    // A quick job: its finish is its only write to the job, after one look at its claims.
    expect(writes.filter((w) => w.startsWith("jobs."))).toEqual(["jobs.updateOne"]);
    expect(await getJob(job.id)).toMatchObject({ status: "succeeded", progress: 1, message: "done" });

    // A slower one reports in between, once it has run half a second.
    const slow = await requestTraining(model.id);
    const again = (await claimNextJob())!;
    const messages: string[] = [];
    const run = runClaimedJob(again, handlers(1500));
    await waitFor(() => getJob(slow.id), (j) => {
      if (j.message) messages.push(j.message);
      return j.status === "succeeded";
    });
    await run;
    expect(messages.some((m) => m === "at 0.5" || m === "at 0.9")).toBe(true);
    expect(messages).not.toContain("at 0.1");
    expect(messages).not.toContain("done here");
  });

  it("stops a run whose job was requeued meanwhile without writing anything", async () => {
    const model = await newModel("taken-over");
    const job = await requestTraining(model.id);
    const claimed = (await claimNextJob())!;
    let thrown: unknown = null;
    const handlers: JobHandlers = {
      ...jobHandlers,
      train_model: async (_id, ctx) => {
        try {
          for (;;) {
            await ctx.progress(0.5, "thinking");
            await new Promise((r) => setTimeout(r, 50));
          }
        } catch (err) {
          thrown = err;
          throw err;
        }
      },
    };
    const run = runClaimedJob(claimed, handlers);
    await waitFor(() => getJob(job.id), (j) => j.message === "thinking");
    // What a survivor does to a worker it believed dead.
    await JobClaim.create({ _id: `requeue:${job.id}:1`, job_id: job.id, action: "requeue", attempt: 1, by: DEAD_WORKER });
    await Job.updateOne({ _id: job.id }, { $set: { status: "queued", message: "requeued after its worker stopped", progress: 0 } });
    await run;
    expect(thrown).toBeInstanceOf(JobLostError);
    expect(await getJob(job.id)).toMatchObject({ status: "queued", message: "requeued after its worker stopped", progress: 0 });
    expect(await JobClaim.countDocuments({ job_id: job.id, action: "done" })).toBe(0);
    expect(await locksOn(model.id)).toBe(1);
    expect(await runNextJob(jobHandlers)).toBe(job.id);
    expect(await getJob(job.id)).toMatchObject({ status: "succeeded", attempts: 2 });
  });

  it("cancels a queued job at once and puts the target back as it was", async () => {
    const model = await newModel("cancel-queued");
    await trainModel(model.id);
    const runId = (await ModelConfig.findById(model.id).lean())?.run_id;
    const job = await requestTraining(model.id);
    const view = await cancelJob(job.id);
    expect(view).toMatchObject({ status: "cancelled", cancel_requested: true });
    expect(await locksOn(model.id)).toBe(0);
    expect(await ModelConfig.findById(model.id).lean()).toMatchObject({ status: "trained", run_id: runId });
    // No worker runs it afterwards, and a finished job cannot be cancelled again.
    expect(await runNextJob(jobHandlers)).toBeNull();
    await expect(cancelJob(job.id)).rejects.toThrow(/already been cancelled/);
    await expect(cancelJob(new mongoose.Types.ObjectId().toHexString())).rejects.toThrow(/No job/);
  });

  it("stops a running training within seconds of a cancel; the previous artifacts stay in use", async () => {
    const ds = await saveSyntheticDataset("jobs-cancel-running", 1200);
    const model = await createModelConfig({
      name: "cancel-running",
      algorithm: "random_forest",
      hyperparameters: SMALL_FOREST,
      features: ["f1", "f2", "f3"],
      target: "label",
      training_csv: ds.path,
    });
    await trainModel(model.id);
    const before = (await ModelConfig.findById(model.id).lean())!;
    // About half a minute of trees from here with the library's O(rows^2) learner: long enough to cancel in the middle.
    await updateModelConfig(model.id, { hyperparameters: { n_estimators: 300, max_depth: 8, max_samples: 800, engine: "ml-random-forest" } });
    const worker = await startWorker({ handlers: jobHandlers, pollMs: 100 });
    try {
      const job = await requestTraining(model.id);
      const running = await waitFor(() => getJob(job.id), (j) => j.status === "running" && j.progress > 0.15);
      const asked = Date.now();
      expect((await cancelJob(job.id)).cancel_requested).toBe(true);
      const ended = await waitFor(() => getJob(job.id), (j) => j.status !== "running", 30_000);
      const tookMs = Date.now() - asked;
      expect(ended.status).toBe("cancelled");
      // It stopped well before the training would have ended by itself (measured on the same cores, so load cancels out).
      const ranMs = asked - new Date(running.started_at!).getTime();
      const remainingMs = (ranMs / running.progress) * (1 - running.progress);
      expect(tookMs).toBeLessThan(remainingMs / 2);
      const after = (await ModelConfig.findById(model.id).lean())!;
      expect(after).toMatchObject({ status: "trained", run_id: before.run_id, model_artifact_path: before.model_artifact_path });
      expect((await runsOf(model.id)).at(-1)).toMatchObject({ status: "failed", error: "The job was cancelled." });
      expect(await locksOn(model.id)).toBe(0);
    } finally {
      await worker.stop();
    }
  });

  it("runs WORKER_CONCURRENCY jobs at once in one worker", async () => {
    const forest = { algorithm: "random_forest", hyperparameters: { n_estimators: 60, max_depth: 6, max_samples: 150 } };
    const a = await newModel("parallel-a", forest);
    const b = await newModel("parallel-b", forest);
    const worker = await startWorker({ handlers: jobHandlers, pollMs: 100, concurrency: 2 });
    try {
      const jobs = [await requestTraining(a.id), await requestTraining(b.id)];
      const [first, second] = await waitFor(
        () => Promise.all(jobs.map((j) => getJob(j.id))),
        (views) => views.every((v) => v.status === "succeeded"),
      );
      // Each started before the other finished: they ran at the same time (one after the other, they could not).
      // Read from the jobs' own times rather than watched from here, where a busy machine can miss a short overlap.
      const at = (iso: string | null) => new Date(iso!).getTime();
      expect(at(first.started_at)).toBeLessThan(at(second.finished_at));
      expect(at(second.started_at)).toBeLessThan(at(first.finished_at));
      expect(await trainingRunsOf([a.id, b.id])).toEqual({ [a.id]: 1, [b.id]: 1 });
    } finally {
      await worker.stop();
    }
  });

  it("releases locks whose job has finished or never appeared, and keeps a fresh one", async () => {
    const finished = await newModel("sweep-finished");
    const ghost = await newModel("sweep-ghost");
    const fresh = await newModel("sweep-fresh");
    const doneJob = await Job.create({ kind: "train_model", target_id: finished.id, status: "succeeded", finished_at: new Date() });
    await lockTarget(ModelConfig, new mongoose.Types.ObjectId(finished.id), String(doneJob._id));
    await lockTarget(ModelConfig, new mongoose.Types.ObjectId(ghost.id), new mongoose.Types.ObjectId().toHexString());
    await Lock.updateOne({ target_id: ghost.id }, { $set: { taken_at: new Date(Date.now() - 600_000) } });
    await ModelConfig.updateOne({ _id: ghost.id }, { $set: { status: "queued" } });
    await lockTarget(ModelConfig, new mongoose.Types.ObjectId(fresh.id), new mongoose.Types.ObjectId().toHexString());
    expect(await sweepLocks()).toBe(2);
    expect([await locksOn(finished.id), await locksOn(ghost.id), await locksOn(fresh.id)]).toEqual([0, 0, 1]);
    // A busy status nobody will finish goes back to what it was.
    expect(await statusOf(ghost.id)).toBe("untrained");
    await Lock.deleteMany({});
  });
});
