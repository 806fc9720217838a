import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda } from "agenda";
import { config } from "@/lib/config";
import { childLogger } from "@/lib/log";

export const RUN_JOB = "run-job";
export interface RunJobData {
  job_id: string;
}

const log = childLogger("jobs");

interface AgendaCache {
  uri?: string;
  agenda?: Agenda;
}
const cache = ((globalThis as unknown as { __agendaCache?: AgendaCache }).__agendaCache ??= {});

/**
 * One Agenda per process on the same database as the app. The web process only
 * enqueues; the worker process (scripts/worker.ts) also processes.
 */
export function getAgenda(): Agenda {
  const uri = config().mongodbUri;
  if (cache.agenda && cache.uri === uri) return cache.agenda;
  const agenda = new Agenda({
    backend: new MongoBackend({ address: uri, collection: "agenda_jobs" }),
    processEvery: config().jobPollMs,
    defaultConcurrency: 1,
    maxConcurrency: 1,
    // Our own heartbeat decides when a job is stale; Agenda's lock only keeps two
    // workers from taking the same dispatch at once.
    defaultLockLifetime: 10 * 60 * 1000,
    removeOnComplete: true,
  });
  agenda.on("error", (err: Error) => log.error({ err: err.message }, "agenda error"));
  cache.uri = uri;
  cache.agenda = agenda;
  return agenda;
}

export async function closeAgenda(): Promise<void> {
  const agenda = cache.agenda;
  cache.agenda = undefined;
  cache.uri = undefined;
  if (agenda) await agenda.stop(true);
}
