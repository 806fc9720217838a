import { createRng, shuffledIndices } from "./random";

export interface HoldoutSplit {
  train: number[];
  test: number[];
}

/**
 * Random train/test split of n rows; `fraction` is the share held out for testing.
 * Both index lists come back sorted so rows keep their file order (useful when
 * the CSV is chronological and someone reads the test rows by eye). Each side
 * gets at least one row.
 */
export function holdoutSplit(n: number, fraction: number, seed: number): HoldoutSplit {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`A holdout split needs at least 2 rows, got ${n}.`);
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`The test fraction must be between 0 and 1, got ${fraction}.`);
  const testSize = Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  const order = shuffledIndices(n, createRng(seed));
  // Int32Array's numeric sort needs no comparator callback: much faster in a fresh process.
  const sorted = (part: number[]) => Array.from(Int32Array.from(part).sort());
  return { test: sorted(order.slice(0, testSize)), train: sorted(order.slice(testSize)) };
}

/** The elements of `arr` at `idx`, in that order. */
export function takeRows<T>(arr: readonly T[], idx: readonly number[]): T[] {
  const out = new Array<T>(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const j = idx[i];
    if (!Number.isInteger(j) || j < 0 || j >= arr.length) {
      throw new RangeError(`Row index ${j} is outside 0..${arr.length - 1}.`);
    }
    out[i] = arr[j];
  }
  return out;
}
