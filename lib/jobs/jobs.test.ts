import mongoose from "mongoose";
import { afterAll, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { ConflictError } from "@/lib/errors";
import { useTestEnv } from "@/lib/testing/env";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { createModelConfig, requestTraining } from "@/lib/training/service";
import { Job } from "@/models/Job";
import { ModelConfig } from "@/models/ModelConfig";
import { closeAgenda } from "./agenda";
import { abandonTarget, jobHandlers } from "@/scripts/job-handlers";
import { getJob } from "./queue";
import { recoverStaleJobs, runJob } from "./runner";
import { startWorker } from "./worker";

useTestEnv();
afterAll(async () => {
  await closeAgenda();
});

async function newModel(name: string) {
  const ds = await saveSyntheticDataset(`jobs-${name}`, 200);
  return createModelConfig({ name, algorithm: "logistic_regression", features: ["f1", "f2"], target: "label", training_csv: ds.path });
}

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe("training jobs", () => {
  it("go queued -> running -> succeeded, with progress recorded", async () => {
    const model = await newModel("lifecycle");
    const job = await requestTraining(model.id);
    expect(job.status).toBe("queued");
    expect((await ModelConfig.findById(model.id).lean())?.status).toBe("queued");

    const seen: string[] = [];
    const handlers = {
      ...jobHandlers,
      train_model: async (id: string, ctx: Parameters<typeof jobHandlers.train_model>[1]) => {
        seen.push((await getJob(job.id)).status);
        return jobHandlers.train_model(id, ctx);
      },
    };
    expect(await runJob(job.id, handlers)).toBe("ran");
    const done = await getJob(job.id);
    expect(seen).toEqual(["running"]);
    expect(done.status).toBe("succeeded");
    expect(done.progress).toBe(1);
    expect((done.result as { run_id: string }).run_id).toMatch(/^[a-z0-9-]+$/);
    expect((await ModelConfig.findById(model.id).lean())?.status).toBe("trained");
    // A second dispatch of the same job does nothing.
    expect(await runJob(job.id, handlers)).toBe("skipped");
  });

  it("refuses a second train request while one is queued (409)", async () => {
    const model = await newModel("concurrent");
    const first = await requestTraining(model.id);
    await expect(requestTraining(model.id)).rejects.toBeInstanceOf(ConflictError);
    expect(await Job.countDocuments({ target_id: new mongoose.Types.ObjectId(model.id) })).toBe(1);
    await runJob(first.id, jobHandlers);
    const again = await requestTraining(model.id);
    expect(again.id).not.toBe(first.id);
    await runJob(again.id, jobHandlers);
  });

  it("records a failure with its message", async () => {
    const model = await newModel("failing");
    await ModelConfig.updateOne({ _id: model.id }, { $set: { training_csv: "gone-missing.csv" } });
    const job = await requestTraining(model.id);
    await runJob(job.id, jobHandlers);
    const failed = await getJob(job.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/gone-missing\.csv/);
    const doc = await ModelConfig.findById(model.id).lean();
    expect(doc?.status).toBe("failed");
    expect(doc?.last_error).toMatch(/does not exist/);
  });

  it("recovers a job left running by a worker that died, then runs it", async () => {
    const model = await newModel("stale");
    await ModelConfig.updateOne({ _id: model.id }, { $set: { status: "training" } });
    const stale = await Job.create({
      kind: "train_model",
      target_id: new mongoose.Types.ObjectId(model.id),
      status: "running",
      attempts: 1,
      started_at: new Date(Date.now() - 600_000),
      heartbeat_at: new Date(Date.now() - 600_000),
    });
    const out = await recoverStaleJobs(abandonTarget, 60_000);
    expect(out.requeued).toContain(String(stale._id));
    expect((await getJob(String(stale._id))).status).toBe("queued");
    await runJob(String(stale._id), jobHandlers);
    expect((await getJob(String(stale._id))).status).toBe("succeeded");
  });

  it("requeues at once a job whose worker process on this host has exited, but not a live worker's", async () => {
    const model = await newModel("dead-worker");
    const host = (await import("node:os")).hostname();
    const fresh = new Date();
    const dead = await Job.create({
      kind: "train_model",
      target_id: new mongoose.Types.ObjectId(model.id),
      status: "running",
      attempts: 1,
      heartbeat_at: fresh,
      worker: `${host}:2147483646`,
    });
    const alive = await Job.create({
      kind: "train_model",
      target_id: new mongoose.Types.ObjectId(model.id),
      status: "running",
      attempts: 1,
      heartbeat_at: fresh,
      worker: `${host}:${process.ppid}`,
    });
    const out = await recoverStaleJobs(abandonTarget, 60_000);
    expect(out.requeued).toContain(String(dead._id));
    expect(out.requeued).not.toContain(String(alive._id));
    expect((await getJob(String(alive._id))).status).toBe("running");
    await Job.deleteMany({ _id: { $in: [dead._id, alive._id] } });
  });

  it("fails a job interrupted too often and releases its model", async () => {
    const model = await newModel("doomed");
    await ModelConfig.updateOne({ _id: model.id }, { $set: { status: "training" } });
    const stale = await Job.create({
      kind: "train_model",
      target_id: new mongoose.Types.ObjectId(model.id),
      status: "running",
      attempts: 3,
      heartbeat_at: new Date(Date.now() - 600_000),
    });
    const out = await recoverStaleJobs(abandonTarget, 60_000);
    expect(out.failed).toContain(String(stale._id));
    expect((await getJob(String(stale._id))).error).toMatch(/interrupted 3 times/);
    expect((await ModelConfig.findById(model.id).lean())?.status).toBe("failed");
  });

  it("are picked up by a worker through Agenda", async () => {
    process.env.JOB_POLL_MS = "200";
    resetConfigForTests();
    const stop = await startWorker({ handlers: jobHandlers, onAbandon: abandonTarget, recoverEveryMs: 60_000 });
    try {
      const model = await newModel("agenda");
      const job = await requestTraining(model.id);
      const done = await waitFor(() => getJob(job.id), (j) => j.status === "succeeded" || j.status === "failed");
      expect(done.status).toBe("succeeded");
    } finally {
      await stop();
    }
  });
});
