import { DimensionMismatchError } from "../errors";

/**
 * Shape and value checks shared by every classifier. The CSV layer already
 * refuses bad user data; these catch calling code that passes something else
 * (ragged rows, NaN from a bad transform), which would otherwise train a
 * silently broken model.
 */
export function checkTrainingData(X: readonly number[][], y: readonly number[]): number {
  if (X.length === 0) throw new DimensionMismatchError("Cannot train on zero rows.");
  if (X.length !== y.length) throw new DimensionMismatchError(`${X.length} rows but ${y.length} labels.`);
  const width = X[0].length;
  if (width === 0) throw new DimensionMismatchError("Cannot train on rows with no features.");
  checkRows(X, width);
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`Label ${i} is ${y[i]}; labels must be 0 or 1.`);
  }
  return width;
}

export function checkRows(X: readonly number[][], width: number): void {
  for (let i = 0; i < X.length; i++) {
    const row = X[i];
    if (row.length !== width) {
      throw new DimensionMismatchError(`Row ${i} has ${row.length} features but the model expects ${width}.`);
    }
    for (let j = 0; j < width; j++) {
      if (!Number.isFinite(row[j])) throw new RangeError(`Row ${i}, feature ${j} is ${row[j]}; features must be finite numbers.`);
    }
  }
}

/** Lets the event loop run (progress writes, HTTP requests) between chunks of CPU-bound work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
