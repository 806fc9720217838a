import { UserFacingError } from "@/lib/errors";

/** Thrown from a job's progress callback once someone asked to cancel the job; the runner records it as cancelled. */
export class JobCancelledError extends UserFacingError {
  constructor() {
    super("The job was cancelled.");
    this.name = "JobCancelledError";
  }
}

/**
 * Thrown from a job's progress callback when this worker no longer owns the run:
 * it went silent for so long that another worker requeued or finished the job.
 * The runner then stops without writing anything.
 */
export class JobLostError extends UserFacingError {
  constructor(jobId: string) {
    super(`Job ${jobId} was taken over by another worker.`);
    this.name = "JobLostError";
  }
}

/** A lock is held by another owner. */
export class LockHeldError extends UserFacingError {
  readonly key: string;
  readonly owner: string;
  constructor(key: string, owner: string) {
    super(`${key} is held by ${owner}.`);
    this.name = "LockHeldError";
    this.key = key;
    this.owner = owner;
  }
}

export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}
