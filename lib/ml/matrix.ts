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

/** A refusal lists this many offending rows, and this many names per list, then counts the rest. */
const ROWS_SHOWN = 5;
const NAMES_SHOWN = 10;

/**
 * Orders each row's values by the feature list; unknown or missing features are
 * field errors. Features are looked up as the row's own properties, so a name
 * like "constructor" is never answered by Object.prototype.
 */
export function rowsToMatrix(rows: PredictRows, features: string[]): number[][] {
  const known = new Set(features);
  const shown: Array<[string, string[]]> = [];
  let offending = 0;
  rows.forEach((row, i) => {
    const missing = features.filter((f) => !Object.hasOwn(row, f));
    const unknown = Object.keys(row).filter((k) => !known.has(k));
    if (missing.length === 0 && unknown.length === 0) return;
    offending++;
    if (shown.length >= ROWS_SHOWN) return;
    const problems: string[] = [];
    if (missing.length) problems.push(`missing: ${someNames(missing)}`);
    if (unknown.length) problems.push(`unknown columns: ${someNames(unknown)}`);
    shown.push([`rows.${i}`, problems]);
  });
  if (offending > 0) {
    const verb = offending === 1 ? "does" : "do";
    const listed = offending > ROWS_SHOWN ? ` The first ${ROWS_SHOWN} are listed.` : "";
    throw new ValidationError(
      `${count(offending)} of ${count(rows.length)} rows ${verb} not have exactly these features: ${features.join(", ")}.${listed}`,
      Object.fromEntries(shown),
    );
  }
  return rows.map((row) => features.map((f) => row[f]));
}

function someNames(names: string[]): string {
  const shown = names.slice(0, NAMES_SHOWN).join(", ");
  return names.length > NAMES_SHOWN ? `${shown} and ${names.length - NAMES_SHOWN} more` : shown;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
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
