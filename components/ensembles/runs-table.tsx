import Link from "next/link";
import { formatDate, formatMetric, formatMs } from "@/components/format";
import { Badge, StatusBadge, DataTable, td } from "@/components/ui";
import type { EnsembleRunView } from "@/lib/ensemble/service";

/** Every build, newest first, with each base model's source, time and note. */
export function RunsTable({ runs }: { runs: EnsembleRunView[] }) {
  const newestFirst = runs
    .map((run, i) => ({ run, number: i + 1 }))
    .sort((a, b) => Date.parse(b.run.started_at) - Date.parse(a.run.started_at));
  return (
    <DataTable label="Ensemble builds" testId="runs-table" minWidth="min-w-[980px]" headers={["Build", "Started", "Status", "Total", "Meta fit", "Accuracy / AUC / log loss", "Base models: version, source, time, note"]}>
      <tbody>
        {newestFirst.map(({ run, number }) => (
          <tr key={`${run.started_at}-${number}`} data-testid="run-row" data-run-id={run.run_id ?? ""}>
            <th scope="row" className={`${td} text-left`}>
              #{number}
              {run.run_id ? <div className="text-xs font-normal text-slate-600"><code>{run.run_id}</code></div> : null}
            </th>
            <td className={`${td} whitespace-nowrap`}>{formatDate(run.started_at)}</td>
            <td className={td}>
              <StatusBadge status={run.status} />
              {run.error ? <p className="mt-1 max-w-xs text-xs text-red-800">{run.error}</p> : null}
            </td>
            <td className={`${td} whitespace-nowrap tabular-nums`} data-testid="run-total">{formatMs(run.total_ms)}</td>
            <td className={`${td} whitespace-nowrap tabular-nums`}>{formatMs(run.meta_ms)}</td>
            <td className={`${td} whitespace-nowrap tabular-nums`}>
              {formatMetric(run.metrics?.accuracy)} / {formatMetric(run.metrics?.auc)} / {formatMetric(run.metrics?.log_loss)}
            </td>
            <td className={td}>
              <ul className="space-y-1">
                {run.base.map((b) => (
                  <li
                    key={b.model_id}
                    className="flex flex-wrap items-center gap-x-2 gap-y-0.5"
                    data-testid="run-base"
                    data-model={b.model_name ?? b.model_id}
                    data-source={b.source}
                  >
                    <Link href={`/models/${b.model_id}`} className="font-medium text-court underline-offset-2 hover:underline">
                      {b.model_name ?? b.model_id}
                    </Link>
                    {b.run_id ? (
                      <code className="text-xs text-slate-700" data-testid="run-base-version">
                        {b.run_id}
                      </code>
                    ) : null}
                    <Badge tone={b.source === "artifact" ? "good" : "warn"} data-testid="run-base-source">
                      {b.source === "artifact" ? "artifact" : "retrained"}
                    </Badge>
                    <span className="tabular-nums text-slate-700">{formatMs(b.ms)}</span>
                    {b.note ? <span className="basis-full text-xs text-slate-600">{b.note}</span> : null}
                  </li>
                ))}
              </ul>
            </td>
          </tr>
        ))}
      </tbody>
    </DataTable>
  );
}
