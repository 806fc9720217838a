import { SelectField } from "@/components/field";
import { formatBytes, formatDate, formatMetric, formatMs } from "@/components/format";
import { Badge, TableScroll, buttonStyles, td, th } from "@/components/ui";
import type { VersionView } from "@/lib/training/versions";
import { artifactSize } from "./versions-table";

type Row = { label: string; a: string; b: string };

function rowsOf(a: VersionView, b: VersionView): Row[] {
  const row = (label: string, get: (v: VersionView) => string): Row => ({ label, a: get(a), b: get(b) });
  const hyper = [...new Set([...Object.keys(a.hyperparameters), ...Object.keys(b.hyperparameters)])].sort();
  const metric = (key: "accuracy" | "log_loss" | "brier" | "auc") => (v: VersionView) => formatMetric(v.metrics?.[key]);
  return [
    row("Started", (v) => formatDate(v.started_at)),
    row("Features", (v) => v.features.join(", ")),
    ...hyper.map((k) => row(`Hyperparameter ${k}`, (v) => (k in v.hyperparameters ? String(v.hyperparameters[k]) : "—"))),
    row("Calibration", (v) => v.calibration),
    row("Seed", (v) => String(v.seed)),
    row("Dataset", (v) => v.dataset?.path ?? "—"),
    row("Dataset sha256", (v) => v.dataset?.sha256 ?? "—"),
    row("Dataset rows", (v) => (v.dataset ? v.dataset.rows.toLocaleString("en-US") : "—")),
    row("Learner", (v) => v.runtime?.learner ?? "—"),
    row("Node", (v) => v.runtime?.node ?? "—"),
    row("App version", (v) => v.runtime?.app_version ?? "—"),
    row("Artifact format", (v) => (v.runtime ? String(v.runtime.format_version) : "—")),
    row("Accuracy", metric("accuracy")),
    row("Log loss", metric("log_loss")),
    row("Brier score", metric("brier")),
    row("AUC", metric("auc")),
    row("Rows scored", (v) => (v.metrics ? String(v.metrics.n) : "—")),
    row("Training time", (v) => formatMs(v.training_ms)),
    row("Artifact size", (v) => formatBytes(artifactSize(v))),
  ];
}

/**
 * Two versions side by side: their settings, lineage, runtime and metrics, the
 * rows that differ marked in words (not colour alone). A plain GET form picks
 * them (?a=run&b=run), so the comparison is a link and works without script.
 */
export function VersionDiff({ modelId, versions, a, b }: { modelId: string; versions: VersionView[]; a?: string; b?: string }) {
  const runs = versions.filter((v) => v.status === "succeeded");
  if (runs.length < 2) return <p className="text-sm text-slate-700">Two successful runs are needed to compare versions.</p>;
  const left = runs.find((v) => v.run_id === a) ?? runs[1];
  const right = runs.find((v) => v.run_id === b) ?? runs[0];
  const rows = rowsOf(left, right);
  const differing = rows.filter((r) => r.a !== r.b).length;
  const options = runs.map((v) => (
    <option key={v.run_id} value={v.run_id}>
      {v.run_id}
      {v.current ? " (current)" : ""}
    </option>
  ));
  return (
    <div className="space-y-3" data-testid="version-diff">
      <form method="get" action={`/models/${modelId}`} aria-label="Compare two versions" className="flex flex-wrap items-end gap-3">
        <SelectField field="compare-a" name="a" label="Version A" defaultValue={left.run_id}>
          {options}
        </SelectField>
        <SelectField field="compare-b" name="b" label="Version B" defaultValue={right.run_id}>
          {options}
        </SelectField>
        <button type="submit" className={buttonStyles.secondary}>
          Compare
        </button>
      </form>
      <p className="text-sm text-slate-700" data-testid="diff-summary">
        {differing === 0 ? "These versions have the same settings, lineage and metrics." : `${differing} row${differing === 1 ? "" : "s"} differ${differing === 1 ? "s" : ""}.`}
      </p>
      <TableScroll label="Version comparison">
        <table className="w-full min-w-[720px] border-collapse" data-testid="diff-table">
          <thead>
            <tr>
              <th scope="col" className={th}>
                Setting
              </th>
              <th scope="col" className={th}>
                A: <code className="normal-case">{left.run_id}</code>
              </th>
              <th scope="col" className={th}>
                B: <code className="normal-case">{right.run_id}</code>
              </th>
              <th scope="col" className={th}>
                Same?
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const differs = r.a !== r.b;
              return (
                <tr key={r.label} data-testid="diff-row" data-differs={differs} className={differs ? "bg-amber-50" : undefined}>
                  <th scope="row" className={`${td} text-left font-medium`}>
                    {r.label}
                  </th>
                  <td className={`${td} break-all font-mono text-xs`}>{r.a}</td>
                  <td className={`${td} break-all font-mono text-xs`}>{r.b}</td>
                  <td className={td}>{differs ? <Badge tone="warn">differs</Badge> : "same"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>
    </div>
  );
}
