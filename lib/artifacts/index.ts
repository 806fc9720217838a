/** The artifact API: import from "@/lib/artifacts", not from the files behind it. */
export {
  ArtifactError,
  ArtifactMissingError,
  ArtifactExistsError,
  ArtifactCorruptError,
  ArtifactIncompatibleError,
  UnsafeArtifactPathError,
  UnserializableArtifactError,
  UnknownArtifactStoreError,
} from "./errors";
export {
  ARTIFACT_FORMAT_VERSION,
  ARTIFACT_KINDS,
  RUN_ID_PATTERN,
  type ArtifactKind,
  type ArtifactEnvelope,
  type ProducedBy,
  isArtifactKind,
  newRunId,
  assertRunId,
  artifactFileName,
  parseEnvelope,
} from "./format";
export type { ArtifactStore, ArtifactStat, WriteResult } from "./store";
export { type LocalStoreFaults, LocalArtifactStore, resolveInsideRoot } from "./local-store";
export { GridFsArtifactStore } from "./gridfs-store";
export { artifactStoreFor, defaultArtifactStore } from "./stores";
export {
  type SavedArtifact,
  type ArtifactRef,
  type ArtifactLogContext,
  type ArtifactStatus,
  saveArtifactSet,
  loadArtifact,
  verifyArtifact,
  artifactStamps,
  assertSameFeatures,
  deleteArtifactSet,
} from "./artifact-set";
