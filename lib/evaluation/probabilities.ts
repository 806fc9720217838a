import { createHash } from "node:crypto";

export interface ProbabilityComparison {
  n: number;
  /** Every value has the same IEEE-754 bits in both lists (and the lengths match). */
  identical: boolean;
  /** Positions whose bits differ. */
  mismatches: number;
  max_abs_diff: number;
}

/** Bitwise comparison of two prediction lists: what "retraining is deterministic" has to mean. */
export function compareProbabilities(a: readonly number[], b: readonly number[]): ProbabilityComparison {
  const n = Math.min(a.length, b.length);
  let mismatches = Math.abs(a.length - b.length);
  let maxAbsDiff = 0;
  for (let i = 0; i < n; i++) {
    if (!Object.is(a[i], b[i])) {
      mismatches++;
      const d = Math.abs(a[i] - b[i]);
      maxAbsDiff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(maxAbsDiff, d);
    }
  }
  return { n: Math.max(a.length, b.length), identical: mismatches === 0, mismatches, max_abs_diff: maxAbsDiff };
}

/** SHA-256 of the float64 bytes: a short fingerprint that changes with any bit of any value. */
export function probabilitiesFingerprint(values: readonly number[]): string {
  const bytes = Buffer.from(Float64Array.from(values).buffer);
  return createHash("sha256").update(bytes).digest("hex");
}
