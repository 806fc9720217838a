import { config } from "@/lib/config";
import { publicMessage } from "@/lib/errors";
import { connectDb, findByIds } from "@/lib/db";
import { childLogger } from "@/lib/log";
import { Job, type JobKind } from "@/models/Job";
import { JobClaim, type JobClaimFields } from "@/models/JobClaim";
import { claimKey, insertClaim, isDeadLocalWorker, workerId } from "./claims";
import { JobCancelledError, JobLostError } from "./errors";
import { ensureJobIndexes } from "./indexes";
import { releaseLocksOf, type ReleaseOutcome } from "./locks";
import type { JobLean } from "./queue";

const log = childLogger("jobs");

export interface JobContext {
  jobId: string;
  /** 1 for the first run, 2 after one requeue, ... */
  attempt: number;
  /** Who asked for the job, if anyone. */
  requestedBy: { id: string; name: string } | null;
  /**
   * Records progress (0..1) and a short stage message; also the job's heartbeat.
   * Written at most every HEARTBEAT_MS (the first after the job has run that
   * long); 1 is left to the job's end. Throws JobCancelledError once the job was
   * cancelled, and JobLostError when another worker has taken it over, so a
   * handler stops at its next written report.
   */
  progress(fraction: number, message?: string): Promise<void>;
}

export type JobHandler = (targetId: string, ctx: JobContext) => Promise<unknown>;
export type JobHandlers = Record<JobKind, JobHandler>;

export const MAX_ATTEMPTS = 3;
/**
 * How often a running job writes its heartbeat, each time after checking for a
 * cancel request or a takeover; a cancel takes effect at most this long after
 * the next progress report.
 */
const HEARTBEAT_MS = 500;
/** A finish whose claim is older than this without its write landing was interrupted; recovery completes it. */
const FINISH_GRACE_MS = 5_000;

/** Jobs this process is running now: alive by definition, however long their current step is silent. */
const runningHere = new Set<string>();

type Outcome =
  | { status: "succeeded"; result: unknown }
  | { status: "failed"; error: string; abandoned?: boolean }
  | { status: "cancelled" };

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function releaseOutcome(o: { status: string; error?: string | null; abandoned?: boolean }): ReleaseOutcome {
  if (o.status === "succeeded") return { kind: "succeeded" };
  if (o.status === "cancelled") return { kind: "cancelled" };
  const error = o.error ?? "The job failed.";
  return o.abandoned ? { kind: "abandoned", error } : { kind: "failed", error };
}

function finalFields(o: { status: string; error?: string | null; result?: unknown }) {
  const now = new Date();
  return {
    status: o.status,
    message: o.status === "succeeded" ? "done" : o.status,
    error: o.error ?? null,
    result: o.status === "succeeded" ? (o.result ?? null) : null,
    ...(o.status === "succeeded" ? { progress: 1 } : {}),
    finished_at: now,
    heartbeat_at: now,
  };
}

/**
 * Ends a job once: whoever inserts its "done" claim releases every lock the job
 * holds, then writes the outcome. In that order, so whoever sees the job finished
 * finds its targets free and as they should be. Returns false when the job had
 * already been finished by someone else (a cancel, a recovery, a worker that
 * came back).
 */
export async function finishJob(job: Pick<JobLean, "_id" | "attempts" | "kind">, outcome: Outcome): Promise<boolean> {
  const error = outcome.status === "failed" ? outcome.error : outcome.status === "cancelled" ? "The job was cancelled." : null;
  const abandoned = outcome.status === "failed" && !!outcome.abandoned;
  const won = await insertClaim({
    action: "done",
    jobId: job._id,
    attempt: job.attempts,
    outcome: { status: outcome.status, error, message: abandoned ? "abandoned" : outcome.status },
  });
  if (!won) return false;
  await releaseLocksOf(String(job._id), releaseOutcome({ status: outcome.status, error, abandoned }));
  await Job.updateOne({ _id: job._id }, { $set: finalFields({ status: outcome.status, error, result: outcome.status === "succeeded" ? outcome.result : null }) });
  return true;
}

/** Completes a finish whose winner died between its claim and its writes. */
async function completeFinish(job: JobLean, claim: JobClaimFields): Promise<void> {
  const o = claim.outcome ?? { status: "failed", error: "The job's worker stopped while finishing it.", message: "failed" };
  await releaseLocksOf(String(job._id), releaseOutcome({ status: o.status, error: o.error, abandoned: o.message === "abandoned" }));
  await Job.updateOne({ _id: job._id }, { $set: finalFields({ status: o.status, error: o.error }) });
}

/**
 * Claims the oldest queued job this worker can get: the insert of
 * "run:<job>:<attempt>" decides, so each attempt of each job runs in exactly one
 * worker however many poll at once. Returns it marked running, or null.
 */
export async function claimNextJob(): Promise<JobLean | null> {
  await connectDb();
  await ensureJobIndexes();
  const queued = await Job.find({ status: "queued" }).sort({ createdAt: 1, _id: 1 }).limit(20).lean<JobLean[]>();
  for (const job of queued) {
    const attempt = job.attempts + 1;
    if (!(await insertClaim({ action: "run", jobId: job._id, attempt }))) continue;
    const claimed = { ...job, attempts: attempt };
    // A cancel that lost the race for this claim left its request behind.
    if (await JobClaim.exists({ _id: claimKey("cancel", String(job._id)) })) {
      await finishJob(claimed, { status: "cancelled" });
      continue;
    }
    const now = new Date();
    const running = { status: "running" as const, attempts: attempt, started_at: now, heartbeat_at: now, message: "starting", progress: 0, worker: workerId() };
    await Job.updateOne({ _id: job._id }, { $set: running });
    return { ...claimed, ...running };
  }
  return null;
}

/** Runs a job this worker has claimed and records how it ended. */
export async function runClaimedJob(job: JobLean, handlers: JobHandlers): Promise<void> {
  const jobId = String(job._id);
  const attempt = job.attempts;
  const watched = [claimKey("cancel", jobId), claimKey("requeue", jobId, attempt), claimKey("done", jobId)];

  /** Throws when the job was cancelled or is no longer this worker's to run. */
  async function checkOwnership(): Promise<void> {
    const found = new Set((await findByIds<{ _id: string }>(JobClaim, watched, { _id: 1 })).map((c) => c._id));
    if (found.has(watched[1]) || found.has(watched[2])) throw new JobLostError(jobId);
    if (found.has(watched[0])) throw new JobCancelledError();
  }

  // The claim wrote the first heartbeat; the finish writes progress 1 after its own ownership check. A job that ends
  // within HEARTBEAT_MS (an ensemble built from artifacts) writes no progress at all: each write is a check of three
  // claims and an update, round trips the embedded database serves one at a time.
  let lastBeat = Date.now();
  const ctx: JobContext = {
    jobId,
    attempt,
    requestedBy: job.requested_by ?? null,
    async progress(fraction, message) {
      const t = Date.now();
      if (t - lastBeat < HEARTBEAT_MS || fraction >= 1) return;
      lastBeat = t;
      // Checked right before each write, so a worker that was replaced stops instead of writing over its successor.
      await checkOwnership();
      const set: Record<string, unknown> = { progress: Math.max(0, Math.min(1, fraction)), heartbeat_at: new Date() };
      if (message) set.message = message;
      await Job.updateOne({ _id: job._id }, { $set: set });
    },
  };

  const started = Date.now();
  const fields = { job_id: jobId, kind: job.kind, target_id: String(job.target_id), attempt, worker: workerId() };
  log.info(fields, "job started");
  runningHere.add(jobId);
  try {
    const result = await handlers[job.kind](String(job.target_id), ctx);
    // A worker that was silent long enough to be replaced keeps its work to itself.
    await checkOwnership().catch((err: unknown) => {
      if (err instanceof JobLostError) throw err;
    });
    if (await finishJob(job, { status: "succeeded", result })) log.info({ ...fields, ms: Date.now() - started }, "job succeeded");
  } catch (err) {
    if (err instanceof JobLostError) {
      log.warn({ ...fields, ms: Date.now() - started }, "job taken over by another worker; this run stops");
    } else if (err instanceof JobCancelledError) {
      if (await finishJob(job, { status: "cancelled" })) log.info({ ...fields, ms: Date.now() - started }, "job cancelled");
    } else if (await finishJob(job, { status: "failed", error: publicMessage(err) })) {
      log.warn({ ...fields, ms: Date.now() - started, err: errorMessage(err) }, "job failed");
    }
  } finally {
    runningHere.delete(jobId);
  }
}

/** Claims and runs the oldest queued job in this process; the job id, or null when none was queued. */
export async function runNextJob(handlers: JobHandlers): Promise<string | null> {
  const job = await claimNextJob();
  if (!job) return null;
  await runClaimedJob(job, handlers);
  return String(job._id);
}

export interface Recovery {
  requeued: string[];
  failed: string[];
  cancelled: string[];
  completed: string[];
}

/**
 * Gives the jobs of dead workers a next attempt. A run is dead when its
 * heartbeat is older than `staleMs`, or when its worker was a process on this
 * host that has exited (found at once, not after the heartbeat times out). The
 * requeue of attempt n is itself a claim ("requeue:<job>:<n>"), so one survivor
 * does it however many look. After MAX_ATTEMPTS the job fails with the reason
 * and its locks are released; a cancelled one ends as cancelled.
 */
export async function recoverJobs(staleMs = config().jobStaleMs): Promise<Recovery> {
  await connectDb();
  await ensureJobIndexes();
  const out: Recovery = { requeued: [], failed: [], cancelled: [], completed: [] };
  const open = await Job.find({ status: { $in: ["queued", "running"] } }).lean<JobLean[]>();
  if (open.length === 0) return out;
  const claims = new Map(
    (await JobClaim.find({ job_id: { $in: open.map((j) => j._id) } }).lean<JobClaimFields[]>()).map((c) => [c._id, c]),
  );
  const now = Date.now();
  const cutoff = now - staleMs;

  for (const job of open) {
    const id = String(job._id);
    const done = claims.get(claimKey("done", id));
    if (done) {
      if (new Date(done.at).getTime() < now - FINISH_GRACE_MS) {
        await completeFinish(job, done);
        out.completed.push(id);
      }
      continue;
    }
    let deadAttempt: number | null = null;
    if (job.status === "running") {
      if (runningHere.has(id)) continue;
      const silent = (job.heartbeat_at ? new Date(job.heartbeat_at).getTime() : 0) < cutoff;
      if (silent || isDeadLocalWorker(job.worker)) deadAttempt = job.attempts;
    } else {
      // Claimed but never marked running: its claimer died in between.
      const run = claims.get(claimKey("run", id, job.attempts + 1));
      if (run && (new Date(run.at).getTime() < cutoff || isDeadLocalWorker(run.by))) deadAttempt = job.attempts + 1;
    }
    if (deadAttempt === null) continue;
    const outcome = await giveUpAttempt(job, deadAttempt, claims, cutoff);
    if (outcome) out[outcome].push(id);
  }
  if (out.requeued.length + out.failed.length + out.cancelled.length + out.completed.length > 0) log.warn(out, "recovered jobs of stopped workers");
  return out;
}

async function giveUpAttempt(
  job: JobLean,
  attempt: number,
  claims: Map<string, JobClaimFields>,
  cutoff: number,
): Promise<"requeued" | "failed" | "cancelled" | null> {
  const id = String(job._id);
  const at = { ...job, attempts: attempt };
  if (claims.has(claimKey("cancel", id))) return (await finishJob(at, { status: "cancelled" })) ? "cancelled" : null;
  if (attempt >= MAX_ATTEMPTS) {
    const error = `The job was interrupted ${attempt} times (its worker stopped while running it), so it was given up; start it again.`;
    return (await finishJob(at, { status: "failed", error, abandoned: true })) ? "failed" : null;
  }
  const key = claimKey("requeue", id, attempt);
  if (!(await insertClaim({ action: "requeue", jobId: job._id, attempt }))) {
    // Another survivor holds this requeue. Only if it claimed long ago and the job
    // still shows that attempt did its write never land; then finish it here.
    const prior = claims.get(key) ?? (await JobClaim.findById(key).lean<JobClaimFields>());
    if (!prior || new Date(prior.at).getTime() >= cutoff) return null;
  }
  await Job.updateOne(
    { _id: job._id },
    { $set: { status: "queued", attempts: attempt, progress: 0, message: "requeued after its worker stopped", worker: null, heartbeat_at: null } },
  );
  log.warn({ job_id: id, attempt }, "job requeued after its worker stopped");
  return "requeued";
}

