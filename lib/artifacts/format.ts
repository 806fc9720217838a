import { randomBytes } from "node:crypto";
import { z } from "zod";
import { APP_NAME, APP_VERSION } from "@/lib/version";
import {
  ArtifactCorruptError,
  ArtifactIncompatibleError,
  UnsafeArtifactPathError,
  UnserializableArtifactError,
} from "./errors";
import { ARTIFACT_KINDS, isArtifactKind, type ArtifactKind } from "./kinds";

export { ARTIFACT_KINDS, isArtifactKind, type ArtifactKind };

/**
 * The on-disk format of one artifact: a JSON envelope that says what it is, which
 * run wrote it and with what, around a payload this module does not interpret.
 * Bump ARTIFACT_FORMAT_VERSION when the envelope changes shape; old files then
 * fail loudly as incompatible instead of loading half-understood.
 */
export const ARTIFACT_FORMAT_VERSION = 1;


export interface ProducedBy {
  app: string;
  version: string;
  /** ISO 8601, UTC. */
  created_at: string;
  /** process.version of the writer: numeric output can differ across Node releases. */
  node: string;
  algorithm?: string;
}

export interface ArtifactEnvelope<T = unknown> {
  format_version: number;
  kind: ArtifactKind;
  run_id: string;
  produced_by: ProducedBy;
  payload: T;
}

/**
 * Run ids become file names, so they are held to a charset that cannot spell a
 * path: lowercase letters, digits and dashes, starting with a letter or digit.
 */
export const RUN_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * A fresh run id such as "20251126-084512-345-9f3c2a7b1d04". The UTC timestamp
 * comes first with fixed widths so ids sort by creation time as plain strings;
 * 48 random bits keep two runs in the same millisecond apart.
 */
export function newRunId(now: Date = new Date()): string {
  const date = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1, 2)}${pad(now.getUTCDate(), 2)}`;
  const time = `${pad(now.getUTCHours(), 2)}${pad(now.getUTCMinutes(), 2)}${pad(now.getUTCSeconds(), 2)}`;
  return `${date}-${time}-${pad(now.getUTCMilliseconds(), 3)}-${randomBytes(6).toString("hex")}`;
}

/** Throws UnsafeArtifactPathError unless runId could have come from newRunId's charset. */
export function assertRunId(runId: unknown): asserts runId is string {
  if (typeof runId !== "string" || !RUN_ID_PATTERN.test(runId)) {
    throw new UnsafeArtifactPathError(
      String(runId),
      "it is not a valid run id (1 to 64 lowercase letters, digits or dashes, starting with a letter or digit)",
    );
  }
}

/** `${run_id}_${kind}.json`, the only file names saveArtifactSet writes. */
export function artifactFileName(runId: string, kind: ArtifactKind): string {
  assertRunId(runId);
  if (!isArtifactKind(kind)) {
    throw new UnsafeArtifactPathError(String(kind), `the artifact kind must be one of ${ARTIFACT_KINDS.join(", ")}`);
  }
  return `${runId}_${kind}.json`;
}

export function buildEnvelope<T>(
  kind: ArtifactKind,
  runId: string,
  payload: T,
  producedBy: { algorithm?: string },
  now: Date = new Date(),
): ArtifactEnvelope<T> {
  const produced: ProducedBy = {
    app: APP_NAME,
    version: APP_VERSION,
    created_at: now.toISOString(),
    node: process.version,
  };
  if (producedBy.algorithm !== undefined) produced.algorithm = producedBy.algorithm;
  return { format_version: ARTIFACT_FORMAT_VERSION, kind, run_id: runId, produced_by: produced, payload };
}

/**
 * JSON.stringify turns NaN and Infinity into null without a word, so a model
 * with a diverged weight would save "fine" and predict garbage after loading.
 * Refusing here makes the failure appear at training time, next to its cause.
 */
export function serializeEnvelope(envelope: ArtifactEnvelope, path: string): string {
  if (envelope.payload === undefined) {
    throw new UnserializableArtifactError(path, "its payload is undefined", envelope.kind);
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(envelope, function (key: string, value: unknown) {
      if (typeof value === "number" && !Number.isFinite(value)) {
        throw new UnserializableArtifactError(
          path,
          `its payload holds the non-finite number ${value} under the key ${JSON.stringify(key)}`,
          envelope.kind,
        );
      }
      return value;
    });
  } catch (err) {
    if (err instanceof UnserializableArtifactError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new UnserializableArtifactError(path, `its payload cannot be written as JSON (${why})`, envelope.kind, {
      cause: err,
    });
  }
  if (text === undefined) {
    throw new UnserializableArtifactError(path, "its payload cannot be written as JSON", envelope.kind);
  }
  return text;
}

const EnvelopeSchema = z.object({
  format_version: z.number(),
  kind: z.enum(ARTIFACT_KINDS),
  run_id: z.string().regex(RUN_ID_PATTERN),
  produced_by: z.object({
    app: z.string(),
    version: z.string(),
    created_at: z.string(),
    node: z.string(),
    algorithm: z.string().optional(),
  }),
  payload: z.unknown().refine((v) => v !== undefined, { message: "is missing" }),
});

/**
 * Parses and checks an envelope read from disk. The version is checked before the
 * shape: a file from a future format may legitimately have a different shape, and
 * "incompatible" is the more useful thing to tell the user about it.
 */
export function parseEnvelope(
  bytes: Buffer,
  expected: { path: string; kind: ArtifactKind; run_id?: string },
): ArtifactEnvelope {
  const { path, kind } = expected;
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new ArtifactCorruptError(path, "it is not valid JSON", kind, { cause: err });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ArtifactCorruptError(path, "it is not an artifact envelope (expected a JSON object)", kind);
  }
  const version = (raw as { format_version?: unknown }).format_version;
  if (typeof version !== "number") {
    throw new ArtifactCorruptError(path, "it has no numeric format_version", kind);
  }
  if (version !== ARTIFACT_FORMAT_VERSION) {
    throw new ArtifactIncompatibleError(
      path,
      `it has format_version ${version} and this version of the app reads only format_version ${ARTIFACT_FORMAT_VERSION}`,
      kind,
    );
  }
  const parsed = EnvelopeSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "envelope"} ${i.message}`).join("; ");
    throw new ArtifactCorruptError(path, `its envelope is malformed: ${problems}`, kind);
  }
  const envelope = parsed.data as ArtifactEnvelope;
  if (envelope.kind !== kind) {
    throw new ArtifactCorruptError(path, `it holds a ${envelope.kind} artifact where a ${kind} artifact was expected`, kind);
  }
  if (expected.run_id !== undefined && envelope.run_id !== expected.run_id) {
    throw new ArtifactCorruptError(
      path,
      `it belongs to run ${envelope.run_id}, not to run ${expected.run_id}`,
      kind,
    );
  }
  return envelope;
}
