import { formatDate, formatMetric, formatMs } from "@/components/format";
import { StatusBadge, DataTable, td } from "@/components/ui";
import type { TrainingRunView } from "@/lib/training/service";

const TRIGGERS: Record<string, string> = { manual: "Train button or API", ensemble: "ensemble build (artifacts unusable)", seed: "demo seed" };

export function TrainingHistory({ history }: { history: TrainingRunView[] }) {
  if (history.length === 0) return <p className="text-sm text-slate-700">No training runs yet.</p>;
  const newestFirst = [...history].sort((a, b) => Date.parse(b.started_at) - Date.parse(a.started_at));
  return (
    <DataTable label="Training history" testId="training-history" minWidth="min-w-[860px]" headers={["Started", "Status", "Triggered by", "Run", "Time", "Accuracy", "AUC", "Log loss"]}>
      <tbody>
        {newestFirst.map((h, i) => (
          <tr key={`${h.started_at}-${i}`} data-testid="history-row">
            <td className={`${td} whitespace-nowrap`}>{formatDate(h.started_at)}</td>
            <td className={td}>
              <StatusBadge status={h.status} />
              {h.error ? <p className="mt-1 max-w-xs text-xs text-red-800">{h.error}</p> : null}
            </td>
            <td className={td}>{TRIGGERS[h.trigger] ?? h.trigger}</td>
            <td className={td}>
              <code className="text-xs">{h.run_id ?? "—"}</code>
            </td>
            <td className={`${td} whitespace-nowrap tabular-nums`}>{formatMs(h.training_ms)}</td>
            <td className={`${td} tabular-nums`}>{formatMetric(h.metrics?.accuracy)}</td>
            <td className={`${td} tabular-nums`}>{formatMetric(h.metrics?.auc)}</td>
            <td className={`${td} tabular-nums`}>{formatMetric(h.metrics?.log_loss)}</td>
          </tr>
        ))}
      </tbody>
    </DataTable>
  );
}
