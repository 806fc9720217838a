/**
 * Small summaries for benchmark and evaluation reports. Pure: numbers in,
 * numbers out, no I/O.
 */

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

function finiteSorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError("Cannot summarise an empty list of values.");
  for (const v of values) {
    if (!Number.isFinite(v)) throw new RangeError(`Cannot summarise a non-finite value (${v}).`);
  }
  return [...values].sort((a, b) => a - b);
}

/**
 * The p-th percentile (0..100) by linear interpolation between closest ranks,
 * the definition numpy uses by default: percentile([1, 2, 3, 4], 50) = 2.5.
 */
export function percentile(values: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`The percentile must be between 0 and 100, got ${p}.`);
  const sorted = finiteSorted(values);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** Median with the range around it: how benchmark repetitions are reported. */
export function spread(values: readonly number[]): Spread {
  const sorted = finiteSorted(values);
  return { median: percentile(sorted, 50), min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

export interface PairedDifference {
  /** Mean of a[i] - b[i]. */
  mean: number;
  /** Standard error of that mean (sample standard deviation / sqrt(n)); NaN for one pair. */
  standard_error: number;
  n: number;
}

/**
 * Mean and standard error of per-item differences, e.g. the per-game log loss
 * of one forecast minus another's on the same games. A mean within about two
 * standard errors of zero is not a difference the data can vouch for.
 */
export function pairedDifference(a: readonly number[], b: readonly number[]): PairedDifference {
  if (a.length !== b.length) throw new RangeError(`${a.length} values paired with ${b.length}.`);
  if (a.length === 0) throw new RangeError("Cannot compare zero pairs.");
  const n = a.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i] - b[i];
  const mean = sum / n;
  if (n === 1) return { mean, standard_error: Number.NaN, n };
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (a[i] - b[i] - mean) ** 2;
  return { mean, standard_error: Math.sqrt(squares / (n - 1) / n), n };
}
