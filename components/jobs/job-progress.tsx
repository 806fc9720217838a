import { Alert } from "@/components/ui";
import type { JobView } from "@/lib/jobs/queue";

const STATUS_WORDS: Record<JobView["status"], string> = {
  queued: "Waiting for the worker",
  running: "Running",
  succeeded: "Finished",
  failed: "Failed",
};

/** A job's progress bar and message; the text says the state, the bar only shows it. */
export function JobProgress({ job, subject }: { job: JobView; subject: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, job.status === "succeeded" ? 1 : job.progress)) * 100);
  const barColour = job.status === "failed" ? "bg-hoop" : job.status === "succeeded" ? "bg-emerald-600" : "bg-court";
  return (
    <div className="space-y-2" data-testid="job-progress" data-status={job.status} data-job-id={job.id}>
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-medium" data-testid="job-status">
          {STATUS_WORDS[job.status]}
        </span>
        <span className="tabular-nums text-slate-700">{pct}%</span>
      </div>
      <div
        role="progressbar"
        aria-label={`${subject} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={`${pct}%: ${job.message}`}
        className="h-3 w-full overflow-hidden rounded-full bg-slate-200"
      >
        <div className={`h-full rounded-full transition-[width] duration-500 ${barColour}`} style={{ width: `${pct}%` }} />
      </div>
      <p role="status" className="text-sm text-slate-700" data-testid="job-message">
        {job.message}
      </p>
      {job.status === "failed" && job.error ? (
        <Alert role="alert" data-testid="job-error">
          {job.error}
        </Alert>
      ) : null}
    </div>
  );
}
