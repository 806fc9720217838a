import type { EnsembleRunView } from "./service";

/**
 * How the latest ensemble build compares with the latest build that had to
 * retrain a base model: the number the dashboard headlines. Only succeeded runs
 * with a recorded total time count.
 */
export type BuildComparison =
  | { kind: "no_runs" }
  | { kind: "latest_retrained"; latest: EnsembleRunView; retrained: number }
  | { kind: "no_reference"; latest: EnsembleRunView; training?: { trainingMs: number; loadMs: number; ratio: number } }
  | { kind: "compared"; latest: EnsembleRunView; reference: EnsembleRunView; ratio: number };

function retrainedCount(run: EnsembleRunView): number {
  return run.base.filter((b) => b.source === "retrained").length;
}

/**
 * `baseTrainingMs`: each base model's latest training time, when known. With no
 * build that retrained to compare against, the latest build's loading time is
 * set against what training those models took.
 */
export function compareLatestBuild(runs: readonly EnsembleRunView[], baseTrainingMs: ReadonlyArray<number | null> = []): BuildComparison {
  const done = runs
    .filter((r) => r.status === "succeeded" && typeof r.total_ms === "number" && r.total_ms > 0)
    .sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  const latest = done.at(-1);
  if (!latest) return { kind: "no_runs" };
  const retrained = retrainedCount(latest);
  if (retrained > 0) return { kind: "latest_retrained", latest, retrained };
  const reference = done.slice(0, -1).findLast((r) => retrainedCount(r) > 0);
  if (!reference) {
    const loadMs = latest.base.reduce((sum, b) => sum + b.ms, 0);
    const known = baseTrainingMs.length > 0 && baseTrainingMs.every((ms): ms is number => typeof ms === "number" && ms > 0);
    if (!known || loadMs <= 0) return { kind: "no_reference", latest };
    const trainingMs = (baseTrainingMs as number[]).reduce((sum, ms) => sum + ms, 0);
    return { kind: "no_reference", latest, training: { trainingMs, loadMs, ratio: trainingMs / loadMs } };
  }
  return { kind: "compared", latest, reference, ratio: (reference.total_ms as number) / (latest.total_ms as number) };
}
