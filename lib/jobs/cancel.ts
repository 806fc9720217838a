import { ConflictError } from "@/lib/errors";
import { Job, isFinishedJob } from "@/models/Job";
import { findByIdOrThrow } from "@/lib/db";
import { insertClaim } from "./claims";
import { ensureJobIndexes } from "./indexes";
import { getJob, type JobLean, type JobView } from "./queue";
import { finishJob } from "./runner";

/**
 * Cancels a job. The request is recorded as a "cancel" claim, never as a field
 * the worker might overwrite. A queued job is cancelled at once when this call
 * wins the claim for its next run (no worker can start it then); otherwise the
 * worker running it finds the request at its next progress report, stops, and
 * the job ends as cancelled with its targets as they were before it. ConflictError
 * (409) when the job has already finished.
 */
export async function cancelJob(id: string): Promise<JobView> {
  const job = await findByIdOrThrow<JobLean>(Job, id, "job");
  if (isFinishedJob(job.status)) throw new ConflictError(`The job has already ${job.status === "cancelled" ? "been cancelled" : job.status}; there is nothing to cancel.`);
  await ensureJobIndexes();
  await insertClaim({ action: "cancel", jobId: job._id, by: "api" });
  if (job.status === "queued") {
    const attempt = job.attempts + 1;
    if (await insertClaim({ action: "run", jobId: job._id, attempt, by: "api" })) {
      await finishJob({ ...job, attempts: attempt }, { status: "cancelled" });
    }
  }
  return getJob(id);
}
