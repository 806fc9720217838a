import type { Job as AgendaJob } from "agenda";
import { childLogger } from "@/lib/log";
import { RUN_JOB, closeAgenda, getAgenda, type RunJobData } from "./agenda";
import { recoverStaleJobs, runJob, type JobHandlers } from "./runner";
import type { JobKind } from "@/models/Job";

const log = childLogger("worker");

export interface WorkerOptions {
  handlers: JobHandlers;
  onAbandon: (kind: JobKind, targetId: string, reason: string) => Promise<void>;
  /** How often to look for jobs whose worker died. */
  recoverEveryMs?: number;
}

/** Starts processing jobs in this process. Returns a function that stops it. */
export async function startWorker(opts: WorkerOptions): Promise<() => Promise<void>> {
  const agenda = getAgenda();
  agenda.define<RunJobData>(RUN_JOB, async (job: AgendaJob<RunJobData>) => {
    await runJob(job.attrs.data.job_id, opts.handlers);
  });
  await agenda.start();
  await recoverStaleJobs(opts.onAbandon);
  const timer = setInterval(() => {
    recoverStaleJobs(opts.onAbandon).catch((err: unknown) => log.error({ err: String(err) }, "stale job recovery failed"));
  }, opts.recoverEveryMs ?? 15_000);
  log.info({}, "worker started");
  return async () => {
    clearInterval(timer);
    await closeAgenda();
    log.info({}, "worker stopped");
  };
}
