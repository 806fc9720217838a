import mongoose from "mongoose";
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@/lib/testing/env";
import { Job } from "@/models/Job";
import { JobClaim } from "@/models/JobClaim";
import { pruneFinishedJobs } from "./prune";
import { startWorker } from "./worker";
import { jobHandlers } from "@/scripts/job-handlers";

useTestEnv();

let finishedSoFar = 0;

/** `n` finished jobs, each a minute after the one before (so every call's are newer), with their run and done claims. */
async function finishedJobs(n: number, status: "succeeded" | "failed" | "cancelled" = "succeeded") {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    finishedSoFar += 1;
    const job = await Job.create({ kind: "train_model", target_id: new mongoose.Types.ObjectId(), status, attempts: 1, finished_at: new Date(Date.UTC(2030, 0, 1) + finishedSoFar * 60_000) });
    await JobClaim.create({ _id: `run:${job._id}:1`, job_id: job._id, action: "run", attempt: 1, by: "test" });
    await JobClaim.create({ _id: `done:${job._id}`, job_id: job._id, action: "done", attempt: 1, by: "test" });
    ids.push(String(job._id));
  }
  return ids;
}

describe("job history", () => {
  it("keeps the newest finished jobs and every queued or running one, and drops the pruned jobs' claims", async () => {
    const old = await finishedJobs(6, "failed");
    const recent = await finishedJobs(4, "cancelled");
    const open = await Promise.all(
      (["queued", "running"] as const).map((status) => Job.create({ kind: "train_model", target_id: new mongoose.Types.ObjectId(), status, createdAt: new Date(0) })),
    );
    expect(await pruneFinishedJobs(5)).toBe(5);
    const left = (await Job.find({}, { _id: 1 }).lean()).map((j) => String(j._id)).sort();
    expect(left).toEqual([old[5], ...recent, ...open.map((j) => String(j._id))].sort());
    expect(await JobClaim.countDocuments({ job_id: { $in: old.slice(0, 5) } })).toBe(0);
    expect(await JobClaim.countDocuments({ job_id: { $in: [old[5], ...recent] } })).toBe(10);
    expect(await pruneFinishedJobs(5)).toBe(0);
    await Job.deleteMany({});
    await JobClaim.deleteMany({});
  });

  it("is pruned by the worker", async () => {
    await finishedJobs(8);
    const worker = await startWorker({ handlers: jobHandlers, pollMs: 100, keepFinishedJobs: 3 });
    await worker.stop();
    expect(await Job.countDocuments({})).toBe(3);
  });
});
