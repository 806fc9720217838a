import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { childLogger } from "@/lib/log";
import { ArtifactCorruptError, ArtifactError, ArtifactIncompatibleError, ArtifactMissingError } from "./errors";
import {
  type ArtifactKind,
  artifactFileName,
  assertRunId,
  buildEnvelope,
  parseEnvelope,
  serializeEnvelope,
} from "./format";
import type { ArtifactStat, ArtifactStore } from "./store";

/**
 * What training, ensembling and the routes call. Everything here speaks in
 * documents' terms (a path, a checksum, a kind, a run) and leaves bytes and
 * directories to the ArtifactStore.
 */

const log = childLogger("artifacts");

export interface SavedArtifact {
  /** Relative to the store root: record this, not an absolute path, so the root can move. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface ArtifactRef {
  path: string;
  sha256?: string;
  kind: ArtifactKind;
  run_id?: string;
}

/** Ids that make a log line findable from the UI; both optional because not every caller has both. */
export interface ArtifactLogContext {
  model_id?: string;
  ensemble_id?: string;
}

export type ArtifactStatus = "present" | "missing" | "corrupt";

function logIds(context?: ArtifactLogContext): ArtifactLogContext {
  const ids: ArtifactLogContext = {};
  if (context?.model_id !== undefined) ids.model_id = context.model_id;
  if (context?.ensemble_id !== undefined) ids.ensemble_id = context.ensemble_id;
  return ids;
}

function msSince(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}

function sha256Hex(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function describeError(err: unknown): { err_name: string; err_message: string } {
  return err instanceof Error
    ? { err_name: err.name, err_message: err.message }
    : { err_name: "unknown", err_message: String(err) };
}

/**
 * Writes one `${runId}_${kind}.json` per item, each atomically. All payloads are
 * serialized before the first write, so a payload JSON cannot carry fails with
 * nothing on disk; if a write fails, the files this call already wrote are
 * deleted before the error is rethrown, so no run is left half-saved. Run ids are
 * meant to be fresh (newRunId): reusing one overwrites, and a failed overwrite
 * cannot bring the previous files back.
 */
export async function saveArtifactSet<K extends ArtifactKind>(
  store: ArtifactStore,
  runId: string,
  items: Record<K, unknown>,
  producedBy: { algorithm?: string },
  context?: ArtifactLogContext,
): Promise<Record<K, SavedArtifact>> {
  assertRunId(runId);
  const now = new Date();
  const prepared = (Object.keys(items) as K[]).map((kind) => {
    const file = artifactFileName(runId, kind);
    const text = serializeEnvelope(buildEnvelope(kind, runId, items[kind], producedBy, now), file);
    return { kind, file, text };
  });

  const saved = {} as Record<K, SavedArtifact>;
  const written: string[] = [];
  for (const { kind, file, text } of prepared) {
    const start = performance.now();
    let result: SavedArtifact;
    try {
      result = await store.write(file, text);
    } catch (err) {
      log.warn(
        { ...logIds(context), run_id: runId, kind, path: file, rolled_back: written, ...describeError(err) },
        "artifact write failed; removing the artifacts this run already wrote",
      );
      await removeQuietly(store, written, runId, context);
      throw err;
    }
    written.push(result.path);
    saved[kind] = result;
    log.info(
      { ...logIds(context), run_id: runId, kind, path: result.path, bytes: result.bytes, sha256: result.sha256, ms: msSince(start) },
      "artifact saved",
    );
  }
  return saved;
}

/** Rollback must not hide the error that caused it, so its own failures are logged, not thrown. */
async function removeQuietly(store: ArtifactStore, paths: string[], runId: string, context?: ArtifactLogContext) {
  for (const p of paths) {
    try {
      await store.delete(p);
    } catch (err) {
      log.error(
        { ...logIds(context), run_id: runId, path: p, ...describeError(err) },
        "could not remove a partly saved artifact; delete it by hand",
      );
    }
  }
}

/**
 * Reads, checks and unwraps one artifact. The checksum is compared before
 * parsing so a tampered file never reaches JSON.parse. The payload's shape is the
 * caller's to check (its fromJSON): T is a promise made by the caller, not a
 * validation made here.
 */
export async function loadArtifact<T>(
  store: ArtifactStore,
  ref: ArtifactRef,
  context?: ArtifactLogContext,
): Promise<{ payload: T; bytes: number; ms: number }> {
  const start = performance.now();
  try {
    if (ref.run_id !== undefined) assertRunId(ref.run_id);
    const bytes = await readWithKind(store, ref);
    if (ref.sha256) checkChecksum(bytes, ref.sha256, ref);
    const envelope = parseEnvelope(bytes, { path: ref.path, kind: ref.kind, run_id: ref.run_id });
    const ms = msSince(start);
    log.info(
      { ...logIds(context), run_id: envelope.run_id, kind: ref.kind, path: ref.path, bytes: bytes.length, ms },
      "artifact loaded",
    );
    return { payload: envelope.payload as T, bytes: bytes.length, ms };
  } catch (err) {
    log.warn(
      { ...logIds(context), run_id: ref.run_id, kind: ref.kind, path: ref.path, root: store.root, ms: msSince(start), ...describeError(err) },
      "artifact load failed",
    );
    throw err;
  }
}

/** The store does not know kinds; attach the one the caller expected so the message can name it. */
async function readWithKind(store: ArtifactStore, ref: { path: string; kind: ArtifactKind }): Promise<Buffer> {
  try {
    return await store.read(ref.path);
  } catch (err) {
    if (err instanceof ArtifactMissingError && err.kind === undefined) {
      throw new ArtifactMissingError(ref.path, ref.kind, { cause: err });
    }
    throw err;
  }
}

function checkChecksum(bytes: Buffer, expected: string, ref: { path: string; kind: ArtifactKind }): void {
  const actual = sha256Hex(bytes);
  if (actual !== expected.toLowerCase()) {
    throw new ArtifactCorruptError(
      ref.path,
      `its SHA-256 ${actual.slice(0, 12)}… differs from the ${expected.slice(0, 12)}… recorded when it was saved`,
      ref.kind,
    );
  }
}

/**
 * A cheap proof that files are still the ones that were read: size and mtime
 * from stat, no content read ("absent" when gone). Caches of verified or loaded
 * artifacts compare these before trusting an entry.
 */
export async function artifactStamps(store: ArtifactStore, paths: string[]): Promise<string[]> {
  if (store.statMany && paths.length > 1) {
    const stats = await store.statMany(paths).catch(() => new Map<string, ArtifactStat>());
    return paths.map((p) => {
      const st = stats.get(p);
      return st ? `${st.bytes}:${st.modifiedMs}` : "absent";
    });
  }
  return Promise.all(
    paths.map(async (p) => {
      const st = await store.stat(p).catch(() => null);
      return st ? `${st.bytes}:${st.modifiedMs}` : "absent";
    }),
  );
}

/**
 * Decides whether an artifact can be used, without throwing: the ensemble's fast
 * path asks this for every base model and falls back to retraining on anything
 * but "present". It parses the whole file, because a matching checksum alone
 * does not prove that this version of the app can read the format.
 */
export async function verifyArtifact(
  store: ArtifactStore,
  ref: { path?: string | null; sha256?: string | null; kind: ArtifactKind; run_id?: string | null },
): Promise<{ status: ArtifactStatus; bytes: number | null; reason?: string }> {
  if (!ref.path) {
    return { status: "missing", bytes: null, reason: "no artifact path is recorded" };
  }
  const path = ref.path;
  let bytes: Buffer | null = null;
  try {
    if (ref.run_id) assertRunId(ref.run_id);
    bytes = await readWithKind(store, { path, kind: ref.kind });
    if (ref.sha256) checkChecksum(bytes, ref.sha256, { path, kind: ref.kind });
    parseEnvelope(bytes, { path, kind: ref.kind, run_id: ref.run_id ?? undefined });
    log.debug({ kind: ref.kind, path, bytes: bytes.length }, "artifact verified");
    return { status: "present", bytes: bytes.length };
  } catch (err) {
    if (err instanceof ArtifactMissingError) {
      log.info({ kind: ref.kind, path }, "artifact missing");
      return { status: "missing", bytes: null, reason: "the file does not exist" };
    }
    const reason = reasonOf(err);
    log.warn({ kind: ref.kind, path, root: store.root, reason, ...describeError(err) }, "artifact unusable");
    return { status: "corrupt", bytes: bytes?.length ?? null, reason };
  }
}

/** Corrupt, incompatible and unsafe errors carry a short reason; anything else (EACCES, EIO) is described by its message. */
function reasonOf(err: unknown): string {
  if (err instanceof ArtifactError && "reason" in err && typeof err.reason === "string") return err.reason;
  return `it cannot be read (${err instanceof Error ? err.message : String(err)})`;
}

function someNames(names: string[]): string {
  const shown = names.slice(0, 5).map((n) => JSON.stringify(n)).join(", ");
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/**
 * A model fitted on one feature list silently predicts nonsense on another, even
 * with the same column count, so order matters as much as membership.
 */
export function assertSameFeatures(expected: string[], actual: string[], path: string): void {
  if (expected.length === actual.length && expected.every((name, i) => name === actual[i])) return;
  const expectedSet = new Set(expected);
  const actualSet = new Set(actual);
  const missing = expected.filter((n) => !actualSet.has(n));
  const unexpected = actual.filter((n) => !expectedSet.has(n));
  let difference: string;
  if (missing.length > 0 || unexpected.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`it lacks ${someNames(missing)}`);
    if (unexpected.length > 0) parts.push(`it has ${someNames(unexpected)} that ${unexpected.length === 1 ? "is" : "are"} not expected`);
    difference = parts.join(" and ");
  } else if (expected.length !== actual.length) {
    difference = `it has ${actual.length} feature columns where ${expected.length} are expected, some of them repeated`;
  } else {
    const i = expected.findIndex((name, j) => name !== actual[j]);
    difference = `it has the same features in a different order (position ${i + 1} is ${JSON.stringify(actual[i])} where ${JSON.stringify(expected[i])} is expected)`;
  }
  throw new ArtifactIncompatibleError(
    path,
    `its feature list differs from the expected one: ${difference}`,
    "features",
    "retrain the model on the current feature list",
  );
}

/**
 * Removes the files a document points to, skipping unset paths and tolerating
 * files already gone. Every path is attempted even if one fails (an unsafe path
 * must not keep the others on disk); the first failure is then rethrown.
 */
export async function deleteArtifactSet(
  store: ArtifactStore,
  paths: (string | null | undefined)[],
  context?: ArtifactLogContext,
): Promise<void> {
  const targets = [...new Set(paths.filter((p): p is string => typeof p === "string" && p !== ""))];
  const start = performance.now();
  const results = await Promise.allSettled(targets.map((p) => store.delete(p)));
  const failures = results.flatMap((r, i) => (r.status === "rejected" ? [{ path: targets[i], error: r.reason as unknown }] : []));
  for (const f of failures) {
    log.error({ ...logIds(context), path: f.path, root: store.root, ...describeError(f.error) }, "artifact delete failed");
  }
  const deleted = targets.filter((_, i) => results[i].status === "fulfilled");
  log.info({ ...logIds(context), paths: deleted, count: deleted.length, ms: msSince(start) }, "artifacts deleted");
  if (failures.length > 0) {
    const first = failures[0].error;
    throw first instanceof Error ? first : new ArtifactError(String(first), failures[0].path);
  }
}
