import type { ArtifactRef, SavedArtifact } from "@/lib/artifacts";

/**
 * The seed's artifact fields on a model config (model_artifact_path,
 * scaler_artifact_path, features_path, run_id, artifacts_saved_at, plus the
 * checksums and sizes), produced and read in this one place. External scripts
 * read these names: never rename them.
 */

export const MODEL_ARTIFACT_KINDS = ["model", "scaler", "features"] as const;
export type ModelArtifactKind = (typeof MODEL_ARTIFACT_KINDS)[number];

export const PATH_FIELDS = {
  model: "model_artifact_path",
  scaler: "scaler_artifact_path",
  features: "features_path",
} as const satisfies Record<ModelArtifactKind, string>;

/** A mongoose projection of the three path fields, for reads that need only them. */
export const PATH_PROJECTION = { model_artifact_path: 1, scaler_artifact_path: 1, features_path: 1 } as const;

type Triple<T> = { [K in ModelArtifactKind]?: T | null };

/** The artifact fields as a document stores them (all optional: an untrained config has none). */
export interface ModelArtifactFields {
  model_artifact_path?: string | null;
  scaler_artifact_path?: string | null;
  features_path?: string | null;
  run_id?: string | null;
  artifacts_saved_at?: Date | string | null;
  checksums?: Triple<string> | null;
  artifact_bytes?: Triple<number> | null;
}

/** The fields to $set once all three artifacts of a run are saved: one update moves the config to the new run. */
export function artifactFieldsFor(runId: string, saved: Record<ModelArtifactKind, SavedArtifact>, savedAt: Date) {
  return {
    model_artifact_path: saved.model.path,
    scaler_artifact_path: saved.scaler.path,
    features_path: saved.features.path,
    run_id: runId,
    artifacts_saved_at: savedAt,
    checksums: { model: saved.model.sha256, scaler: saved.scaler.sha256, features: saved.features.sha256 },
    artifact_bytes: { model: saved.model.bytes, scaler: saved.scaler.bytes, features: saved.features.bytes },
  };
}

/** Every recorded artifact path of a document, skipping unset ones. */
export function artifactPaths(doc: ModelArtifactFields): string[] {
  return MODEL_ARTIFACT_KINDS.map((kind) => doc[PATH_FIELDS[kind]]).filter((p): p is string => typeof p === "string" && p !== "");
}

/** The seed fields a load needs that the document lacks (an untrained config lacks all of them). */
export function missingArtifactFields(doc: ModelArtifactFields): string[] {
  return [...MODEL_ARTIFACT_KINDS.map((kind) => PATH_FIELDS[kind]), "run_id" as const].filter((field) => !doc[field]);
}

/** One ref per artifact kind, for loading or verifying; paths may be null on an untrained config. */
export function artifactRefs(doc: ModelArtifactFields): Array<{ kind: ModelArtifactKind; path: string | null; sha256: string | null; run_id: string | null }> {
  return MODEL_ARTIFACT_KINDS.map((kind) => ({
    kind,
    path: doc[PATH_FIELDS[kind]] ?? null,
    sha256: doc.checksums?.[kind] ?? null,
    run_id: doc.run_id ?? null,
  }));
}

/** The refs of a fully recorded run, as loadArtifact takes them. */
export function loadableRefs(doc: ModelArtifactFields): Record<ModelArtifactKind, ArtifactRef> {
  const refs = {} as Record<ModelArtifactKind, ArtifactRef>;
  for (const ref of artifactRefs(doc)) {
    refs[ref.kind] = { path: ref.path ?? "", sha256: ref.sha256 ?? undefined, kind: ref.kind, run_id: ref.run_id ?? undefined };
  }
  return refs;
}
