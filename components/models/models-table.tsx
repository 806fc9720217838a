import Link from "next/link";
import { formatDate, formatMetric, formatMs } from "@/components/format";
import { StatusBadge, DataTable, td } from "@/components/ui";
import type { ModelView } from "@/lib/training/service";
import { ARTIFACT_KINDS, ArtifactBadge } from "./artifact-status";
import { algorithmLabel } from "@/lib/ml/algorithms";

/** Every model with its status, artifacts (verified on each render), run and metrics. */
export function ModelsTable({ models }: { models: ModelView[] }) {
  return (
    <DataTable label="Models" testId="models-table" minWidth="min-w-[960px]" headers={["Model", "Status", "Artifacts", "Run", "Accuracy", "AUC", "Log loss", "Training time"]}>
      <tbody>
        {models.map((m) => (
          <tr key={m.id} data-testid="model-row" data-model={m.name}>
            <th scope="row" className={`${td} text-left`}>
              <Link href={`/models/${m.id}`} className="font-medium text-court underline-offset-2 hover:underline">
                {m.name}
              </Link>
              <div className="text-xs font-normal text-slate-600">{algorithmLabel(m.algorithm)}</div>
            </th>
            <td className={td}>
              <StatusBadge status={m.status} data-testid="model-status" />
              {m.status === "failed" && m.last_error ? (
                <p className="mt-1 max-w-xs text-xs text-red-800">{m.last_error}</p>
              ) : null}
            </td>
            <td className={td}>
              <div className="flex flex-col items-start gap-1">
                {ARTIFACT_KINDS.map((k) => (
                  <ArtifactBadge key={k} kind={k} state={m.artifacts?.[k]} withKind />
                ))}
              </div>
            </td>
            <td className={td}>
              <code className="text-xs" data-testid="model-run-id">{m.run_id ?? "—"}</code>
              <div className="text-xs text-slate-600">saved {formatDate(m.artifacts_saved_at)}</div>
            </td>
            <td className={`${td} tabular-nums`}>{formatMetric(m.metrics?.accuracy)}</td>
            <td className={`${td} tabular-nums`}>{formatMetric(m.metrics?.auc)}</td>
            <td className={`${td} tabular-nums`}>{formatMetric(m.metrics?.log_loss)}</td>
            <td className={`${td} whitespace-nowrap tabular-nums`}>{formatMs(m.training_ms)}</td>
          </tr>
        ))}
      </tbody>
    </DataTable>
  );
}
