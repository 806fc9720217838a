import { formatCount, formatMetric, formatMs } from "@/components/format";
import type { Metrics } from "@/lib/ml/metrics";

/** Holdout scores; higher accuracy and AUC are better, lower log loss and Brier are better. */
export function MetricsList({ metrics, trainingMs }: { metrics: Metrics | null; trainingMs?: number | null }) {
  if (!metrics) return <p className="text-sm text-slate-700">No metrics yet: train the model to score it on held-out rows.</p>;
  const items = [
    { label: "Accuracy", value: formatMetric(metrics.accuracy), hint: "higher is better" },
    { label: "AUC", value: formatMetric(metrics.auc), hint: "higher is better" },
    { label: "Log loss", value: formatMetric(metrics.log_loss), hint: "lower is better" },
    { label: "Brier score", value: formatMetric(metrics.brier), hint: "lower is better" },
    { label: "Holdout rows", value: formatCount(metrics.n), hint: "rows scored" },
    ...(trainingMs !== undefined ? [{ label: "Training time", value: formatMs(trainingMs), hint: "fit and save" }] : []),
  ];
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3" data-testid="metrics">
      {items.map((i) => (
        <div key={i.label} className="rounded-md bg-slate-50 p-3">
          <dt className="text-xs font-medium text-slate-700">{i.label}</dt>
          <dd className="text-lg font-semibold tabular-nums">{i.value}</dd>
          <dd className="text-xs text-slate-600">{i.hint}</dd>
        </div>
      ))}
    </dl>
  );
}
