import { refresh } from "next/cache";
import { ArtifactError } from "@/lib/artifacts/errors";
import { ConfigError } from "@/lib/config";
import { DatabaseUnavailableError } from "@/lib/db";
import { ConflictError, NotFoundError, PayloadTooLargeError, ValidationError } from "@/lib/errors";
import { logger } from "@/lib/log";
import type { ActionState, StartJobResult } from "@/components/action-state";
import type { JobView } from "@/lib/jobs/queue";

/**
 * Maps a domain error to what a form shows. Known errors carry a sentence meant
 * for people; anything else is logged and replaced by a generic one.
 */
export function actionError(err: unknown, action: string): ActionState {
  if (err instanceof ValidationError) {
    return { ok: false, message: err.message, fieldErrors: err.fields };
  }
  if (
    err instanceof ConflictError ||
    err instanceof NotFoundError ||
    err instanceof PayloadTooLargeError ||
    err instanceof ArtifactError ||
    err instanceof DatabaseUnavailableError ||
    err instanceof ConfigError
  ) {
    return { ok: false, message: err.message, fieldErrors: {} };
  }
  logger.error({ err, action }, "unhandled error in server action");
  return { ok: false, message: "Something went wrong on the server; the error was logged. Try again in a moment.", fieldErrors: {} };
}

/** Runs a lib call that queues a job; the page re-renders (status "queued") in the same response. */
export async function startJob(action: string, queue: () => Promise<JobView>): Promise<StartJobResult> {
  try {
    const job = await queue();
    refresh();
    return { ok: true, jobId: job.id };
  } catch (err) {
    return { ok: false, message: actionError(err, action).message ?? "The job could not start." };
  }
}
