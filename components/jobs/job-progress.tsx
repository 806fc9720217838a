import type { ReactNode } from "react";
import { Alert } from "@/components/ui";
import type { JobView } from "@/lib/jobs/queue";

const STATUS_WORDS: Record<JobView["status"], string> = {
  queued: "Waiting for the worker",
  running: "Running",
  succeeded: "Finished",
  failed: "Failed",
  cancelled: "Cancelled",
};

const BAR_COLOURS: Record<JobView["status"], string> = {
  queued: "bg-court",
  running: "bg-court",
  succeeded: "bg-emerald-600",
  failed: "bg-hoop",
  cancelled: "bg-slate-500",
};

/** A job's progress bar and message; the text says the state, the bar only shows it. `action` sits beside the percentage (the Cancel button). */
export function JobProgress({ job, subject, action }: { job: JobView; subject: string; action?: ReactNode }) {
  const pct = Math.round(Math.max(0, Math.min(1, job.status === "succeeded" ? 1 : job.progress)) * 100);
  const cancelling = job.cancel_requested && (job.status === "queued" || job.status === "running");
  return (
    <div className="space-y-2" data-testid="job-progress" data-status={job.status} data-job-id={job.id}>
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
        <span className="font-medium" data-testid="job-status">
          {cancelling ? "Cancelling" : STATUS_WORDS[job.status]}
        </span>
        <span className="flex items-center gap-3">
          <span className="tabular-nums text-slate-700">{pct}%</span>
          {action}
        </span>
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
        <div className={`h-full rounded-full transition-[width] duration-500 ${BAR_COLOURS[job.status]}`} style={{ width: `${pct}%` }} />
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
