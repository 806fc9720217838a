import { refresh } from "next/cache";
import { logger } from "@/lib/log";
import { knownError } from "./error-status";
import { requireActionRole } from "./session";
import type { ActionState, CancelJobResult, StartJobResult } from "@/components/action-state";
import type { JobView } from "@/lib/jobs/queue";

/**
 * Maps a domain error to what a form shows. Known errors carry a sentence meant
 * for people; anything else is logged and replaced by a generic one.
 */
export function actionError(err: unknown, action: string): ActionState {
  const known = knownError(err);
  if (known) return { ok: false, message: known.message, fieldErrors: known.fields ?? {} };
  logger.error({ err, action }, "unhandled error in server action");
  return { ok: false, message: "Something went wrong on the server; the error was logged. Try again in a moment.", fieldErrors: {} };
}

/** Runs a lib call that queues a job; the page re-renders (status "queued") in the same response. */
export async function startJob(action: string, queue: (who: { id: string; name: string }) => Promise<JobView>): Promise<StartJobResult> {
  try {
    const who = await requireActionRole("editor");
    const job = await queue({ id: who.userId, name: who.name });
    refresh();
    return { ok: true, jobId: job.id };
  } catch (err) {
    return { ok: false, message: actionError(err, action).message ?? "The job could not start." };
  }
}

/** Runs a lib call that cancels a job; the page re-renders with the target as it now stands. */
export async function stopJob(action: string, cancel: () => Promise<JobView>): Promise<CancelJobResult> {
  try {
    await requireActionRole("editor");
    const job = await cancel();
    refresh();
    return { ok: true, status: job.status };
  } catch (err) {
    return { ok: false, message: actionError(err, action).message ?? "The job could not be cancelled." };
  }
}
