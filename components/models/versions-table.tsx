import { formatBytes, formatDate, formatMetric, formatMs, shortSha } from "@/components/format";
import { SimpleForm, type SimpleFormState } from "@/components/simple-form";
import { Badge, DataTable, StatusBadge, td } from "@/components/ui";
import type { VersionView } from "@/lib/training/versions";

const TRIGGERS: Record<string, string> = { manual: "Train button or API", ensemble: "ensemble build (artifacts unusable)", seed: "demo seed", import: "bundle import" };

/** What a version's three artifact files take on disk; null without artifacts. */
export function artifactSize(v: VersionView): number | null {
  return v.artifacts ? v.artifacts.model.bytes + v.artifacts.scaler.bytes + v.artifacts.features.bytes : null;
}

/** Whether a version still has its artifacts (so it can be downloaded or made current). */
export function isKept(v: VersionView): boolean {
  return v.status === "succeeded" && !v.retired && v.artifacts !== null;
}

/**
 * Every run of a model, newest first: the successful ones are versions, and any
 * version that still has its artifacts can become the current one again, or be
 * downloaded as an archive.
 */
export function VersionsTable({
  modelId,
  versions,
  promote,
  canPromote,
}: {
  modelId: string;
  versions: VersionView[];
  promote: (runId: string) => (prev: SimpleFormState, form: FormData) => Promise<SimpleFormState>;
  canPromote: boolean;
}) {
  if (versions.length === 0) return <p className="text-sm text-slate-700">No training runs yet.</p>;
  return (
    <DataTable
      label="Versions"
      testId="training-history"
      minWidth="min-w-[1200px]"
      headers={["Started", "Status", "Started by", "Run", "Trained on", "Time", "Accuracy", "Log loss", "AUC", "Size", "Archive", "Current version"]}
    >
      <tbody>
        {versions.map((v) => (
          <tr key={v.run_id} data-testid="history-row" data-run={v.run_id} data-current={v.current}>
            <td className={`${td} whitespace-nowrap`}>{formatDate(v.started_at)}</td>
            <td className={td}>
              <StatusBadge status={v.status} />
              {v.error ? <p className="mt-1 max-w-xs text-xs text-red-800">{v.error}</p> : null}
            </td>
            <td className={td}>
              {v.started_by ? v.started_by.name : TRIGGERS[v.trigger] ?? v.trigger}
              {v.started_by && v.trigger !== "manual" ? <span className="block text-xs text-slate-600">{TRIGGERS[v.trigger] ?? v.trigger}</span> : null}
            </td>
            <td className={td}>
              <code className="text-xs">{v.run_id}</code>
            </td>
            <td className={`${td} text-xs`}>
              {v.dataset ? (
                <>
                  <code>{v.dataset.path}</code>
                  <span className="block text-slate-600">
                    {v.dataset.rows.toLocaleString("en-US")} rows · sha256 {shortSha(v.dataset.sha256)}
                  </span>
                </>
              ) : (
                "—"
              )}
            </td>
            <td className={`${td} whitespace-nowrap tabular-nums`}>{formatMs(v.training_ms)}</td>
            <td className={`${td} tabular-nums`}>{formatMetric(v.metrics?.accuracy)}</td>
            <td className={`${td} tabular-nums`} data-testid="version-log-loss">{formatMetric(v.metrics?.log_loss)}</td>
            <td className={`${td} tabular-nums`} data-testid="version-auc">{formatMetric(v.metrics?.auc)}</td>
            <td className={`${td} whitespace-nowrap tabular-nums`} data-testid="version-size">{formatBytes(artifactSize(v))}</td>
            <td className={td}>
              {isKept(v) ? (
                <a
                  className="text-court underline"
                  href={`/api/models/${modelId}/versions/${encodeURIComponent(v.run_id)}/bundle`}
                  download
                  aria-label={`Download run ${v.run_id}`}
                  data-testid="version-download"
                >
                  Download
                </a>
              ) : (
                "—"
              )}
            </td>
            <td className={td}>
              {v.current ? (
                <Badge tone="good">current</Badge>
              ) : v.retired ? (
                <Badge tone="neutral">artifacts removed</Badge>
              ) : v.status === "succeeded" && canPromote ? (
                <SimpleForm inline action={promote(v.run_id)} label={`Make run ${v.run_id} current`} submitLabel="Make current" fields={[]} />
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </DataTable>
  );
}
