import type { ArtifactKind } from "./kinds";
import { UserFacingError } from "@/lib/errors";

/**
 * Artifact failures as types, so callers can tell "retrain" from "fix the path"
 * without parsing messages. Messages never include the artifact root: they reach
 * users through the HTTP layer, and the server's directory layout is not theirs
 * to see. The root goes into the logs instead.
 */

/** Shows a path safely in a sentence: NUL bytes and control characters stay visible. */
function quote(p: string): string {
  return JSON.stringify(p);
}

function describe(kind: ArtifactKind | undefined): string {
  return kind ? `${kind} artifact` : "artifact";
}

export class ArtifactError extends UserFacingError {
  /** The path as the caller gave it (relative to the artifact root when well-formed). */
  readonly path: string;
  readonly kind?: ArtifactKind;

  constructor(message: string, path: string, kind?: ArtifactKind, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ArtifactError";
    this.path = path;
    this.kind = kind;
  }
}

export class ArtifactMissingError extends ArtifactError {
  constructor(path: string, kind?: ArtifactKind, options?: { cause?: unknown }) {
    super(
      `The ${describe(kind)} ${quote(path)} is not in the artifact store; retrain the model to write fresh artifacts.`,
      path,
      kind,
      options,
    );
    this.name = "ArtifactMissingError";
  }
}

/** A store that writes each name once (GridFS) already holds a file of that name; it was left as it was. */
export class ArtifactExistsError extends ArtifactError {
  constructor(path: string, kind?: ArtifactKind, options?: { cause?: unknown }) {
    super(`The ${describe(kind)} ${quote(path)} is already in the artifact store; artifacts are written once, under a new run.`, path, kind, options);
    this.name = "ArtifactExistsError";
  }
}

/** The bytes on disk are not what was saved: checksum mismatch, unparsable JSON, or the wrong kind or run inside. */
export class ArtifactCorruptError extends ArtifactError {
  readonly reason: string;

  constructor(path: string, reason: string, kind?: ArtifactKind, options?: { cause?: unknown }) {
    super(
      `The ${describe(kind)} ${quote(path)} is corrupt (${reason}); retrain the model to write fresh artifacts.`,
      path,
      kind,
      options,
    );
    this.name = "ArtifactCorruptError";
    this.reason = reason;
  }
}

/** The file is intact but this version of the app cannot use it. */
export class ArtifactIncompatibleError extends ArtifactError {
  readonly reason: string;

  constructor(
    path: string,
    reason: string,
    kind?: ArtifactKind,
    action = "retrain the model to write artifacts this version of the app can read",
  ) {
    super(`The ${describe(kind)} ${quote(path)} cannot be used (${reason}); ${action}.`, path, kind);
    this.name = "ArtifactIncompatibleError";
    this.reason = reason;
  }
}

/** Refused before any filesystem access: the path would leave the artifact root, or is malformed. */
export class UnsafeArtifactPathError extends ArtifactError {
  readonly reason: string;

  constructor(path: string, reason: string) {
    super(
      `Refusing the artifact path ${quote(path)} because ${reason}; use a path relative to the artifact directory ` +
        `(as written when the model was saved), or retrain the model to record fresh artifact paths.`,
      path,
    );
    this.name = "UnsafeArtifactPathError";
    this.reason = reason;
  }
}

/** A payload that JSON cannot carry faithfully (NaN, Infinity, BigInt, cycles); caught before anything is written. */
export class UnserializableArtifactError extends ArtifactError {
  readonly reason: string;

  constructor(path: string, reason: string, kind?: ArtifactKind, options?: { cause?: unknown }) {
    super(
      `The ${describe(kind)} ${quote(path)} was not saved because ${reason}; ` +
        `check the training data and settings that produced it, then train again.`,
      path,
      kind,
      options,
    );
    this.name = "UnserializableArtifactError";
    this.reason = reason;
  }
}

/** A store URI this build cannot open; a configuration problem rather than an artifact problem. */
export class UnknownArtifactStoreError extends UserFacingError {
  constructor(uri: string, reason: string) {
    super(
      `Cannot open the artifact store ${quote(uri)}: ${reason}; set ARTIFACT_DIR to a directory path or a file:// URI.`,
    );
    this.name = "UnknownArtifactStoreError";
  }
}
