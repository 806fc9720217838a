/** What an artifact file can hold; its own module so that errors and the format can both name kinds. */
export const ARTIFACT_KINDS = ["model", "scaler", "features", "meta_model", "manifest"] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

export function isArtifactKind(value: unknown): value is ArtifactKind {
  return typeof value === "string" && (ARTIFACT_KINDS as readonly string[]).includes(value);
}
