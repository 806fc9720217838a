import os from "node:os";
import type mongoose from "mongoose";
import { JobClaim, type ClaimAction, type JobClaimFields } from "@/models/JobClaim";
import { isDuplicateKey } from "./errors";

/** This process as a worker: "<hostname>:<pid>". */
export function workerId(): string {
  return `${os.hostname()}:${process.pid}`;
}

/** A run and a requeue are decided once per attempt; a cancel and the finish once per job. */
export function claimKey(action: ClaimAction, jobId: string, attempt?: number): string {
  return action === "run" || action === "requeue" ? `${action}:${jobId}:${attempt}` : `${action}:${jobId}`;
}

/** Inserts a claim; true when this caller won it, false when someone had already made that decision. */
export async function insertClaim(input: {
  action: ClaimAction;
  jobId: mongoose.Types.ObjectId;
  attempt?: number;
  by?: string;
  outcome?: JobClaimFields["outcome"];
}): Promise<boolean> {
  try {
    await JobClaim.create({
      _id: claimKey(input.action, String(input.jobId), input.attempt),
      job_id: input.jobId,
      action: input.action,
      attempt: input.attempt ?? null,
      by: input.by ?? workerId(),
      outcome: input.outcome ?? null,
    });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export async function hasClaim(key: string): Promise<boolean> {
  return (await JobClaim.exists({ _id: key })) !== null;
}

/** True when `worker` ("<hostname>:<pid>") names a process on this host that no longer exists. */
export function isDeadLocalWorker(worker: string | null | undefined): boolean {
  if (!worker) return false;
  const sep = worker.lastIndexOf(":");
  if (sep <= 0 || worker.slice(0, sep) !== os.hostname()) return false;
  const pid = Number(worker.slice(sep + 1));
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}
