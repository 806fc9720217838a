import Link from "next/link";
import { formatDate, formatMetric, formatMs } from "@/components/format";
import { Badge, StatusBadge, DataTable, td } from "@/components/ui";
import type { EnsembleView } from "@/lib/ensemble/service";
import { algorithmLabel } from "@/lib/ml/algorithms";

export function EnsemblesTable({ ensembles }: { ensembles: EnsembleView[] }) {
  return (
    <DataTable label="Ensembles" testId="ensembles-table" minWidth="min-w-[860px]" headers={["Ensemble", "Status", "Base models", "Last build", "Accuracy", "AUC"]}>
      <tbody>
        {ensembles.map((e) => {
          const last = e.runs.at(-1);
          return (
            <tr key={e.id} data-testid="ensemble-row" data-ensemble={e.name}>
              <th scope="row" className={`${td} text-left`}>
                <Link href={`/ensembles/${e.id}`} className="font-medium text-court underline-offset-2 hover:underline">
                  {e.name}
                </Link>
                <div className="text-xs font-normal text-slate-600">meta: {algorithmLabel(e.meta_model_type)}</div>
              </th>
              <td className={td}>
                <div className="flex flex-wrap gap-1">
                  <StatusBadge status={e.status} />
                  {e.stale ? (
                    <Badge tone="warn" data-testid="stale-flag">
                      stale: rebuild
                    </Badge>
                  ) : null}
                </div>
              </td>
              <td className={td}>{e.base_models.map((b) => b.name ?? "(deleted model)").join(", ")}</td>
              <td className={`${td} whitespace-nowrap`}>
                {last ? (
                  <>
                    {formatDate(last.started_at)}
                    <div className="text-xs text-slate-600">
                      {formatMs(last.total_ms)}, {last.base.filter((b) => b.source === "retrained").length} retrained
                    </div>
                  </>
                ) : (
                  "never built"
                )}
              </td>
              <td className={`${td} tabular-nums`}>{formatMetric(last?.metrics?.accuracy)}</td>
              <td className={`${td} tabular-nums`}>{formatMetric(last?.metrics?.auc)}</td>
            </tr>
          );
        })}
      </tbody>
    </DataTable>
  );
}
