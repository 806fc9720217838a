import { createHash } from "node:crypto";
import { ArtifactExistsError } from "./errors";
import type { ArtifactStore } from "./store";

export interface CopyReport {
  copied: string[];
  /** Already in the destination with the same bytes. */
  unchanged: string[];
  /** Recorded checksums that the source's bytes do not match: not copied. */
  mismatched: Array<{ path: string; reason: string }>;
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Copies every artifact of one store into another (a local folder into a GridFS
 * bucket, or back), under the same relative names, so documents need no change.
 * Each file is checked against the checksum its document recorded (when one
 * did), written, then read back from the destination and compared byte for
 * byte before it counts as copied. Into GridFS, files are written in its
 * current layout (`_id` = name); a different file already there under a name
 * is never replaced (GridFS writes a name once): it is reported, not copied.
 */
export async function copyArtifacts(
  from: ArtifactStore,
  to: ArtifactStore,
  recorded: ReadonlyMap<string, string>,
  onFile: (path: string, outcome: "copied" | "unchanged" | "mismatched") => void = () => undefined,
): Promise<CopyReport> {
  const report: CopyReport = { copied: [], unchanged: [], mismatched: [] };
  for (const path of await from.list()) {
    const bytes = await from.read(path);
    const actual = sha256(bytes);
    const expected = recorded.get(path);
    if (expected !== undefined && expected !== actual) {
      report.mismatched.push({ path, reason: `its SHA-256 ${actual.slice(0, 12)}… is not the ${expected.slice(0, 12)}… recorded for it` });
      onFile(path, "mismatched");
      continue;
    }
    const existing = await to.stat(path);
    if (existing && existing.bytes === bytes.length && sha256(await to.read(path)) === actual) {
      report.unchanged.push(path);
      onFile(path, "unchanged");
      continue;
    }
    try {
      await to.write(path, bytes);
    } catch (err) {
      if (!(err instanceof ArtifactExistsError)) throw err;
      report.mismatched.push({ path, reason: "a different file of that name is already in the destination; it was left as it was" });
      onFile(path, "mismatched");
      continue;
    }
    const back = sha256(await to.read(path));
    if (back !== actual) {
      report.mismatched.push({ path, reason: "the copy read back differs from the source" });
      onFile(path, "mismatched");
      continue;
    }
    report.copied.push(path);
    onFile(path, "copied");
  }
  return report;
}
