import { formatBytes, shortSha } from "@/components/format";
import { DataTable, td } from "@/components/ui";
import type { ModelView } from "@/lib/training/service";
import { ARTIFACT_KINDS, ArtifactBadge } from "./artifact-status";

const KIND_LABELS = { model: "Model", scaler: "Scaler", features: "Feature list" } as const;

export function ArtifactTable({ model }: { model: ModelView }) {
  return (
    <DataTable label="Artifacts" testId="artifact-table" minWidth="min-w-[760px]" headers={["Artifact", "State", "Path", "Size", "SHA-256"]}>
      <tbody>
        {ARTIFACT_KINDS.map((kind) => {
          const a = model.artifacts?.[kind];
          return (
            <tr key={kind} data-testid={`artifact-row-${kind}`} data-status={a?.status ?? "missing"}>
              <th scope="row" className={`${td} text-left font-medium`}>{KIND_LABELS[kind]}</th>
              <td className={td}>
                <ArtifactBadge kind={kind} state={a} />
                {a?.status === "present" ? <span className="ml-2 text-xs text-slate-600">verified</span> : null}
                {a?.reason && a.status !== "present" ? <p className="mt-1 max-w-sm text-xs text-slate-700">{a.reason}</p> : null}
              </td>
              <td className={td}>
                <code className="break-all text-xs" data-testid={`artifact-path-${kind}`}>{a?.path ?? "—"}</code>
              </td>
              <td className={`${td} whitespace-nowrap tabular-nums`}>{formatBytes(a?.bytes)}</td>
              <td className={td}>
                <code className="text-xs" title={a?.sha256 ?? undefined}>{shortSha(a?.sha256)}</code>
              </td>
            </tr>
          );
        })}
      </tbody>
    </DataTable>
  );
}
