"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import type { CancelJobResult, StartJobResult } from "@/components/action-state";
import { getJson } from "@/components/api-client";
import { Alert, buttonStyles } from "@/components/ui";
import type { JobView } from "@/lib/jobs/queue";
import { JobProgress } from "./job-progress";

function isActive(job: JobView | undefined | null): boolean {
  return !!job && (job.status === "queued" || job.status === "running");
}

/**
 * Starts a training or build job through a server action, then polls
 * GET /api/jobs/:id every second until it ends and refreshes the page's data.
 * While the job is queued or running, a Cancel button beside the bar stops it.
 */
export function TrainPanel({
  start,
  cancel,
  latestJob,
  label,
  runningLabel = "Training…",
  subject,
}: {
  start: () => Promise<StartJobResult>;
  cancel: (jobId: string) => Promise<CancelJobResult>;
  /** The target's most recent job; polling resumes if it is still queued or running. */
  latestJob: JobView | null;
  label: string;
  runningLabel?: string;
  subject: string;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [cancelling, startCancel] = useTransition();
  const [jobId, setJobId] = useState<string | null>(latestJob && isActive(latestJob) ? latestJob.id : null);
  const [startError, setStartError] = useState<string | null>(null);
  const [starting, startTransition] = useTransition();
  const refreshedFor = useRef<string | null>(null);

  const job = useQuery({
    queryKey: ["job", jobId],
    queryFn: ({ signal }) => getJson<JobView>(`/api/jobs/${jobId}`, signal),
    enabled: jobId !== null,
    initialData: latestJob && latestJob.id === jobId ? latestJob : undefined,
    staleTime: 0,
    refetchInterval: (q) => (q.state.data && !isActive(q.state.data) ? false : 1000),
    retry: 3,
  });

  const current = job.data;
  useEffect(() => {
    if (current && !isActive(current) && refreshedFor.current !== current.id) {
      refreshedFor.current = current.id;
      router.refresh();
    }
  }, [current, router]);

  const running = starting || isActive(current);
  const onStart = () => {
    setStartError(null);
    startTransition(async () => {
      try {
        const result = await start();
        if (result.ok) setJobId(result.jobId);
        else setStartError(result.message);
      } catch {
        setStartError("The server could not be reached, so nothing was started. Check that the app is running and try again.");
      }
    });
  };

  const onCancel = (id: string) => {
    setStartError(null);
    startCancel(async () => {
      try {
        const result = await cancel(id);
        if (!result.ok) setStartError(result.message);
      } catch {
        setStartError("The server could not be reached, so the job was not cancelled. Try again.");
      }
      await queryClient.invalidateQueries({ queryKey: ["job", id] });
    });
  };
  const cancelButton =
    current && isActive(current) ? (
      <button
        type="button"
        className={buttonStyles.secondary}
        onClick={() => onCancel(current.id)}
        disabled={cancelling || current.cancel_requested}
        data-testid="cancel-button"
      >
        {cancelling || current.cancel_requested ? "Cancelling…" : "Cancel"}
      </button>
    ) : null;

  return (
    <div className="space-y-3" data-testid="train-panel">
      <button type="button" className={buttonStyles.primary} onClick={onStart} disabled={running} data-testid="train-button">
        {running ? runningLabel : label}
      </button>
      {startError ? (
        <Alert role="alert" data-testid="train-error">
          {startError}
        </Alert>
      ) : null}
      {job.isError && !current ? (
        <Alert role="alert">Progress could not be read: {job.error.message}</Alert>
      ) : null}
      {current ? <JobProgress job={current} subject={subject} action={cancelButton} /> : null}
    </div>
  );
}
