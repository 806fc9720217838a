import { z } from "zod";
import { ValidationError, parseInput } from "@/lib/errors";

/**
 * Named-column rows (what predict requests carry) as the ordered numeric
 * matrices models take, with refusals that name the row and the feature.
 */

/** The most rows one predict request may send. */
export const MAX_PREDICT_ROWS = 10_000;
const MAX_ROWS = MAX_PREDICT_ROWS;

/** A predict request's body: rows of feature name -> finite number. */
export const PredictInput = z
  .object({
    rows: z
      .array(z.record(z.string(), z.number({ message: "must be a number" }).finite("must be finite")))
      .min(1, "send at least one row")
      .max(MAX_ROWS, "at most 10,000 rows per request"),
  })
  .strict();

export type PredictRows = Array<Record<string, number>>;

/** A row as JSON.parse makes it: a plain object whose every value is a finite number. */
function isNumberRow(row: unknown): row is Record<string, number> {
  if (typeof row !== "object" || row === null || Object.getPrototypeOf(row) !== Object.prototype) return false;
  for (const key in row) {
    // The schema treats an own "__proto__" key its own way: leave such a row to it.
    if (key === "__proto__") return false;
    const v = (row as Record<string, unknown>)[key];
    if (typeof v !== "number" || !Number.isFinite(v)) return false;
  }
  return true;
}

/**
 * A predict request's rows. A well-formed body (the usual case) is checked in
 * one pass without building a copy; anything else goes through PredictInput,
 * so a refusal names the same fields with the same words as before. Checking
 * 1,000 rows through the schema cost more than predicting them.
 */
export function parsePredictRows(input: unknown, message?: string): PredictRows {
  if (typeof input === "object" && input !== null && Object.getPrototypeOf(input) === Object.prototype) {
    const keys = Object.keys(input);
    const rows = (input as { rows?: unknown }).rows;
    if (keys.length === 1 && keys[0] === "rows" && Array.isArray(rows) && rows.length >= 1 && rows.length <= MAX_ROWS && rows.every(isNumberRow)) {
      return rows;
    }
  }
  return parseInput(PredictInput, input, message).rows;
}

/**
 * Rows from part of a predict body's rows array (its text between the brackets, cut between two rows), checked
 * as parsePredictRows checks a whole body's; null when the part does not parse or check, and the whole body decides.
 */
export function predictRowsFromPart(text: string): PredictRows | null {
  try {
    return parsePredictRows({ rows: JSON.parse(`[${text}]`) });
  } catch {
    return null;
  }
}

/** A refusal lists this many offending rows, and this many names per list, then counts the rest. */
const ROWS_SHOWN = 5;
const NAMES_SHOWN = 10;

/**
 * Orders each row's values by the feature list; unknown or missing features are
 * field errors. Features are looked up as the row's own properties, so a name
 * like "constructor" is never answered by Object.prototype.
 */
export function rowsToMatrix(rows: PredictRows, features: string[]): number[][] {
  const fast = matrixIfExact(rows, features);
  if (fast) return fast;
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

/**
 * The matrix when every row has exactly the features (the usual case), in one
 * pass; null sends the caller to the path that explains. Rows with the same keys
 * in the same order as the row before (a client's rows usually are) reuse where
 * each feature sits among them instead of looking every name up again.
 */
function matrixIfExact(rows: PredictRows, features: string[]): number[][] | null {
  const width = features.length;
  const X = new Array<number[]>(rows.length);
  const at = new Int32Array(width);
  let shape: string[] | null = null;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    // Own enumerable keys, and below their values in the same order.
    const keys = Object.keys(row);
    if (keys.length !== width) return null;
    if (shape === null || !sameKeys(keys, shape)) {
      for (let j = 0; j < width; j++) {
        const k = keys.indexOf(features[j]);
        if (k < 0) return null;
        at[j] = k;
      }
      shape = keys;
    }
    const own = Object.values(row);
    const values = new Array<number>(width);
    for (let j = 0; j < width; j++) values[j] = own[at[j]];
    X[i] = values;
  }
  return X;
}

function sameKeys(a: string[], b: string[]): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
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
    const out = new Array<number[]>(X.length);
    for (let i = 0; i < X.length; i++) {
      const row = X[i];
      const picked = new Array<number>(idx.length);
      for (let k = 0; k < idx.length; k++) picked[k] = row[idx[k]];
      out[i] = picked;
    }
    return out;
  };
}
