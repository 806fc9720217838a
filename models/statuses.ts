/**
 * The lifecycle model configs and ensembles share. Plain data with no mongoose
 * import, so client components can use it too.
 */
export const TARGET_STATUSES = ["untrained", "queued", "training", "trained", "failed"] as const;
export type TargetStatus = (typeof TARGET_STATUSES)[number];

/**
 * A target in one of these states shows that a job holds it. What refuses a
 * second job, a change or a delete is the target's lock (models/Lock.ts); the
 * status is what people see.
 */
export const BUSY_STATUSES = ["queued", "training"] as const satisfies readonly TargetStatus[];

export function isBusy(status: string | null | undefined): boolean {
  return (BUSY_STATUSES as readonly string[]).includes(status ?? "");
}

/** How a recorded run ended. */
export const RUN_STATUSES = ["succeeded", "failed"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
