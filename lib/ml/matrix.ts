import { z } from "zod";
import { ValidationError } from "@/lib/errors";

/**
 * Named-column rows (what predict requests carry) as the ordered numeric
 * matrices models take, with refusals that name the row and the feature.
 */

/** A predict request's body: rows of feature name -> finite number. */
export const PredictInput = z
  .object({
    rows: z
      .array(z.record(z.string(), z.number({ message: "must be a number" }).finite("must be finite")))
      .min(1, "send at least one row")
      .max(10_000, "at most 10,000 rows per request"),
  })
  .strict();

export type PredictRows = Array<Record<string, number>>;

/** Orders each row's values by the feature list; unknown or missing features are field errors. */
export function rowsToMatrix(rows: PredictRows, features: string[]): number[][] {
  const fields: Record<string, string[]> = {};
  const known = new Set(features);
  rows.forEach((row, i) => {
    const missing = features.filter((f) => !(f in row));
    const unknown = Object.keys(row).filter((k) => !known.has(k));
    if (missing.length) (fields[`rows.${i}`] ??= []).push(`missing: ${missing.join(", ")}`);
    if (unknown.length) (fields[`rows.${i}`] ??= []).push(`unknown columns: ${unknown.join(", ")}`);
  });
  if (Object.keys(fields).length > 0) {
    throw new ValidationError(`Each row needs exactly these features: ${features.join(", ")}.`, fields);
  }
  return rows.map((row) => features.map((f) => row[f]));
}

/** Gives any subset of a matrix's named columns, in the order asked for: how each base model of a stack reads its inputs. */
export type ColumnSource = (features: string[]) => number[][];

export function columnSource(X: number[][], columns: string[]): ColumnSource {
  const index = new Map(columns.map((c, j) => [c, j]));
  return (features) => {
    const idx = features.map((f) => {
      const j = index.get(f);
      if (j === undefined) throw new RangeError(`Column "${f}" is not in this matrix.`);
      return j;
    });
    return X.map((row) => idx.map((j) => row[j]));
  };
}
