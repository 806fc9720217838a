import { connectDb } from "@/lib/db";
import { childLogger } from "@/lib/log";
import { FINISHED_JOB_STATUSES, Job } from "@/models/Job";
import { JobClaim } from "@/models/JobClaim";

const log = childLogger("jobs");

/** Finished jobs kept for the API and the dashboard; queued and running ones are always kept. */
export const KEEP_FINISHED_JOBS = 1000;

/** Deletes finished jobs beyond the newest `keep` (by finish time), with their claims. */
export async function pruneFinishedJobs(keep = KEEP_FINISHED_JOBS): Promise<number> {
  await connectDb();
  const finished = { status: { $in: [...FINISHED_JOB_STATUSES] } };
  const old = await Job.find(finished, { _id: 1 }).sort({ finished_at: -1, _id: -1 }).skip(keep).limit(5000).lean();
  if (old.length === 0) return 0;
  const ids = old.map((j) => j._id);
  // Claims first: a crash in between leaves finished jobs without claims, which nothing reads.
  await JobClaim.deleteMany({ job_id: { $in: ids } });
  const res = await Job.deleteMany({ _id: { $in: ids }, ...finished });
  log.info({ deleted: res.deletedCount, kept: keep }, "pruned finished jobs");
  return res.deletedCount;
}
