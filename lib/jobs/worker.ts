import { config } from "@/lib/config";
import { childLogger } from "@/lib/log";
import { workerId } from "./claims";
import { sweepLocks } from "./locks";
import { KEEP_FINISHED_JOBS, pruneFinishedJobs } from "./prune";
import { claimNextJob, recoverJobs, runClaimedJob, type JobHandlers } from "./runner";

const log = childLogger("worker");

export interface WorkerOptions {
  handlers: JobHandlers;
  /** Jobs run at once by this process; WORKER_CONCURRENCY by default. */
  concurrency?: number;
  /** How often to look for queued jobs when idle; JOB_POLL_MS by default. */
  pollMs?: number;
  /** How often to requeue dead workers' jobs, release leftover locks and prune history; five polls by default. */
  maintenanceEveryMs?: number;
  keepFinishedJobs?: number;
}

export interface RunningWorker {
  id: string;
  /** Stops taking jobs and waits up to `graceMs` for the running ones (a stopped run is requeued by the next worker). */
  stop(graceMs?: number): Promise<void>;
}

/** Recovery, lock sweep and pruning: each step on its own, so one failing does not stop the others. */
async function maintain(keep: number): Promise<void> {
  const steps: Array<[string, () => Promise<unknown>]> = [
    ["recover jobs", () => recoverJobs()],
    ["sweep locks", () => sweepLocks()],
    ["prune jobs", () => pruneFinishedJobs(keep)],
  ];
  for (const [name, step] of steps) {
    await step().catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, `${name} failed`));
  }
}

/**
 * Runs jobs in this process: polls the jobs collection for queued jobs (oldest
 * first), claims each by a unique insert and runs up to `concurrency` at once.
 * Any number of such workers, on any number of machines, may share a database.
 */
export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const cfg = config();
  const concurrency = opts.concurrency ?? cfg.workerConcurrency;
  const pollMs = opts.pollMs ?? cfg.jobPollMs;
  const maintenanceEveryMs = opts.maintenanceEveryMs ?? Math.max(1000, 5 * pollMs);
  const keep = opts.keepFinishedJobs ?? KEEP_FINISHED_JOBS;
  const active = new Set<Promise<void>>();
  let stopping = false;
  let wake: (() => void) | null = null;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  // A predecessor that died on this host left its jobs running: give them back first.
  await maintain(keep);
  let nextMaintenance = Date.now() + maintenanceEveryMs;

  const loop = (async () => {
    while (!stopping) {
      try {
        while (!stopping && active.size < concurrency) {
          const job = await claimNextJob();
          if (!job) break;
          const run: Promise<void> = runClaimedJob(job, opts.handlers)
            .catch((err: unknown) => log.error({ job_id: String(job._id), err: String(err) }, "job runner failed"))
            .finally(() => {
              active.delete(run);
              wake?.();
            });
          active.add(run);
        }
        if (Date.now() >= nextMaintenance) {
          await maintain(keep);
          nextMaintenance = Date.now() + maintenanceEveryMs;
        }
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err) }, "polling for jobs failed");
      }
      if (!stopping) await sleep(pollMs);
    }
  })();

  const id = workerId();
  log.info({ worker: id, concurrency, poll_ms: pollMs }, "worker started");
  return {
    id,
    async stop(graceMs = 30_000) {
      stopping = true;
      wake?.();
      await loop;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(active), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
      log.info({ worker: id, left_running: active.size }, "worker stopped");
    },
  };
}
