import { StatusBadge } from "@/components/ui";
import type { ArtifactState } from "@/lib/training/service";

export const ARTIFACT_KINDS = ["model", "scaler", "features"] as const;
export type ArtifactKey = (typeof ARTIFACT_KINDS)[number];

const WORDS: Record<ArtifactState["status"], string> = {
  present: "present",
  missing: "missing",
  corrupt: "corrupt",
};

/** "present" means the file exists and its checksum and format were verified just now. */
export function ArtifactBadge({ kind, state, withKind = false }: { kind: ArtifactKey; state: ArtifactState | undefined; withKind?: boolean }) {
  const status = state?.status ?? "missing";
  return (
    <StatusBadge
      status={status}
      label={`${withKind ? `${kind}: ` : ""}${WORDS[status]}`}
      data-testid={`artifact-status-${kind}`}
      data-status={status}
      title={state?.reason}
    />
  );
}
