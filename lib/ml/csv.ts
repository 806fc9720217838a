import Papa from "papaparse";
import { ValidationError, type FieldErrors } from "@/lib/errors";

/**
 * CSV -> numeric matrix, with refusals a user can act on: every error names the
 * column and the 1-based line of the file, and lands on the form field it concerns
 * (`file`, `features`, `target`, or the offending column's name).
 */

export interface ParsedCsv {
  columns: string[];
  rows: string[][];
  /**
   * 1-based line in the original file where each row starts. Differs from
   * `index + 2` once blank lines are skipped or a quoted cell spans lines.
   * Optional so hand-built tables can be passed to `toNumericMatrix`.
   */
  lines?: number[];
}

export interface NumericMatrix {
  X: number[][];
  y: number[];
}

export interface MatrixSpec {
  features: string[];
  target: string;
}

/** Fewer rows than this cannot give a meaningful holdout score. */
export const MIN_TRAINING_ROWS = 20;

/** How many example problems to list per field before summarising the rest. */
const MAX_EXAMPLES = 5;

/** Spreadsheet exports often start with a byte-order mark that would stick to the first header. */
const BYTE_ORDER_MARK = /^\uFEFF/;

/** Wider tables are refused: nothing here needs them, and a huge header is costly to check and to store. */
export const MAX_COLUMNS = 1000;

export function parseCsv(text: string): ParsedCsv {
  const rows: string[][] = [];
  const lines: number[] = [];
  const { columns } = scanCsv(text, (cells, line) => {
    rows.push(cells);
    lines.push(line);
  });
  return { columns, rows, lines };
}

/**
 * One pass over a CSV: checks quotes, the header (names, width) and every row's
 * shape, and hands each well-formed data row to `onRow` with its 1-based line.
 * Refusals come in a fixed order (width, quotes, empty file, header, no rows,
 * shape), each kept to a few examples however many there are.
 */
export function scanCsv(text: string, onRow: (cells: string[], line: number) => void): { columns: string[]; rows: number } {
  const source = text.replace(BYTE_ORDER_MARK, "");
  const quoteProblems = new Examples();
  const shapeProblems = new Examples();
  let columns: string[] | null = null;
  let headerProblem: HeaderProblem | null = null;
  let tooWide = 0;
  let rowCount = 0;
  // step mode exposes the character offset of each row, which is what lets us
  // report real line numbers (blank lines and multi-line quoted cells included).
  let rowStart = 0;
  let scanned = 0;
  let line = 1;
  Papa.parse<string[]>(source, {
    skipEmptyLines: false,
    delimitersToGuess: [",", ";", "\t"],
    step(result, parser) {
      for (; scanned < rowStart; scanned++) if (source.charCodeAt(scanned) === 10) line++;
      for (const err of result.errors) {
        // An undetectable delimiter just means a single-column file; Papa falls back to ",".
        if (err.type !== "Delimiter") quoteProblems.add(`Line ${line}: ${err.message}.`);
      }
      const cells = result.data;
      rowStart = result.meta.cursor;
      if (isBlank(cells)) return;
      if (columns === null) {
        if (cells.length > MAX_COLUMNS) {
          // Refused before anything else looks at the header: checking it would cost more than the refusal.
          tooWide = cells.length;
          parser.abort();
          return;
        }
        columns = cells.map((name) => name.trim());
        headerProblem = checkHeader(columns);
        return;
      }
      rowCount++;
      if (cells.length !== columns.length) {
        shapeProblems.add(`Line ${line} has ${cells.length} values but the header has ${columns.length} columns.`);
      } else if (headerProblem === null && shapeProblems.count === 0) {
        onRow(cells, line);
      }
    },
  });

  if (tooWide > 0) {
    const n = tooWide.toLocaleString("en-US");
    const max = MAX_COLUMNS.toLocaleString("en-US");
    throw new ValidationError(`The CSV has ${n} columns; at most ${max} are allowed.`, {
      file: [`The header has ${n} columns; keep at most ${max} (the ones models use) and upload it again.`],
    });
  }
  if (quoteProblems.count > 0) {
    throw new ValidationError("The CSV has unbalanced quotes.", { file: quoteProblems.summary() });
  }
  if (columns === null) {
    throw new ValidationError("The file is empty.", { file: ["The file is empty: upload a CSV with a header row and data rows."] });
  }
  // Both are assigned inside the step callback, which TypeScript's narrowing cannot see.
  const header: string[] = columns;
  const problem = headerProblem as HeaderProblem | null;
  if (problem !== null) {
    throw new ValidationError(problem.message, { file: summarise(problem.problems) });
  }
  if (rowCount === 0) {
    throw new ValidationError("The CSV has no data rows.", { file: ["The CSV has a header but no data rows."] });
  }
  if (shapeProblems.count > 0) {
    throw new ValidationError(shapeProblems.first, { file: shapeProblems.summary() });
  }
  return { columns: header, rows: rowCount };
}

function isBlank(cells: string[]): boolean {
  return cells.every((cell) => cell.trim() === "");
}

/**
 * Column names become keys of plain objects (rows, field errors); these would
 * reach Object.prototype instead of a value of their own.
 */
export const RESERVED_COLUMN_NAMES: readonly string[] = ["__proto__", "constructor", "prototype"];

interface HeaderProblem {
  message: string;
  problems: string[];
}

/** Empty, repeated and reserved names, found with one pass and a set (a header can be long). */
function checkHeader(columns: string[]): HeaderProblem | null {
  const problems: string[] = [];
  const seen = new Set<string>();
  const repeated = new Set<string>();
  columns.forEach((name, i) => {
    if (name === "") problems.push(`Column ${i + 1} of the header has no name.`);
    else if (seen.has(name)) repeated.add(name);
    else seen.add(name);
  });
  for (const name of repeated) problems.push(`Column "${name}" appears more than once in the header.`);
  if (problems.length > 0) return { message: "The CSV header needs a unique name for every column.", problems };
  const reserved = RESERVED_COLUMN_NAMES.filter((name) => seen.has(name));
  if (reserved.length > 0) {
    return { message: "The CSV header uses reserved column names.", problems: reserved.map((name) => `Column "${name}" has a reserved name; rename it.`) };
  }
  return null;
}

/**
 * Picks the feature and target columns and converts them to numbers. Only plain
 * decimal numbers are accepted (no "true"/"false", no NaN or Infinity), and the
 * target must be 0/1 with both classes present.
 */
export function toNumericMatrix(parsed: ParsedCsv, spec: MatrixSpec): NumericMatrix {
  const { columns, rows } = parsed;
  const lineOf = (i: number) => parsed.lines?.[i] ?? i + 2;
  checkColumnChoice(columns, spec);

  if (rows.length < MIN_TRAINING_ROWS) {
    throw new ValidationError(`The CSV has only ${rows.length} data rows.`, {
      file: [`The CSV has ${rows.length} data rows; at least ${MIN_TRAINING_ROWS} are needed to train and test a model.`],
    });
  }

  const featureIdx = spec.features.map((name) => columns.indexOf(name));
  const targetIdx = columns.indexOf(spec.target);
  const cellProblems = new ProblemList();
  const targetProblems: string[] = [];
  const X: number[][] = new Array(rows.length);
  const y: number[] = new Array(rows.length);

  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const values = new Array<number>(featureIdx.length);
    for (let j = 0; j < featureIdx.length; j++) {
      const value = parseNumber(row[featureIdx[j]]);
      if (value === null) cellProblems.add(spec.features[j], describeBadCell(row[featureIdx[j]], spec.features[j], lineOf(r)));
      else values[j] = value;
    }
    X[r] = values;

    const label = parseNumber(row[targetIdx]);
    if (label === null) cellProblems.add(spec.target, describeBadCell(row[targetIdx], spec.target, lineOf(r)));
    else if (label !== 0 && label !== 1) targetProblems.push(`Line ${lineOf(r)}: the target "${spec.target}" is ${row[targetIdx].trim()}; it must be 0 or 1.`);
    else y[r] = label;
  }

  if (!cellProblems.isEmpty()) {
    throw new ValidationError(
      `The CSV has ${cellProblems.total} empty or non-numeric values in the chosen columns; ${cellProblems.first}`,
      cellProblems.toFields(),
    );
  }
  if (targetProblems.length > 0) {
    throw new ValidationError(`The target column "${spec.target}" must contain only 0 and 1.`, { target: summarise(targetProblems) });
  }
  const positives = y.reduce((sum, v) => sum + v, 0);
  if (positives === 0 || positives === y.length) {
    throw new ValidationError(`The target column "${spec.target}" has only one class.`, {
      target: [`Every row of "${spec.target}" is ${y[0]}; a classifier needs both 0 and 1 rows.`],
    });
  }
  return { X, y };
}

function checkColumnChoice(columns: string[], spec: MatrixSpec): void {
  const fields: FieldErrors = {};
  const available = `Available columns: ${listNames(columns)}.`;
  if (spec.features.length === 0) {
    (fields.features ??= []).push("Choose at least one feature column.");
  }
  const unknown = spec.features.filter((name) => !columns.includes(name));
  if (unknown.length > 0) {
    (fields.features ??= []).push(`Unknown feature column${unknown.length > 1 ? "s" : ""}: ${listNames(unknown)}. ${available}`);
  }
  const repeated = spec.features.filter((name, i) => spec.features.indexOf(name) !== i);
  if (repeated.length > 0) {
    (fields.features ??= []).push(`Feature column${repeated.length > 1 ? "s" : ""} chosen twice: ${listNames([...new Set(repeated)])}.`);
  }
  if (!columns.includes(spec.target)) {
    (fields.target ??= []).push(`Unknown target column "${spec.target}". ${available}`);
  } else if (spec.features.includes(spec.target)) {
    // The label as an input makes a perfect, useless model.
    (fields.target ??= []).push(`The target "${spec.target}" is also chosen as a feature; remove it from the features.`);
  }
  if (Object.keys(fields).length > 0) {
    throw new ValidationError("The chosen feature or target columns do not match the CSV.", fields);
  }
}

/** Strict decimal syntax: Number() alone would accept "", " ", "0x1f", "Infinity". */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(cell: string | undefined): number | null {
  const text = (cell ?? "").trim();
  if (!DECIMAL.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

function describeBadCell(cell: string | undefined, column: string, line: number): string {
  const text = (cell ?? "").trim();
  if (text === "") return `Line ${line}: column "${column}" is empty.`;
  const shown = text.length > 30 ? `${text.slice(0, 30)}…` : text;
  return `Line ${line}: "${shown}" in column "${column}" is not a number.`;
}

/** Collects per-column messages, keeping a few examples and counting the rest. */
class ProblemList {
  private readonly byColumn = new Map<string, string[]>();
  private readonly counts = new Map<string, number>();
  total = 0;
  first = "";

  add(column: string, message: string): void {
    if (this.total === 0) this.first = message;
    this.total++;
    this.counts.set(column, (this.counts.get(column) ?? 0) + 1);
    const list = this.byColumn.get(column) ?? [];
    if (list.length < MAX_EXAMPLES) list.push(message);
    this.byColumn.set(column, list);
  }

  isEmpty(): boolean {
    return this.total === 0;
  }

  toFields(): FieldErrors {
    const entries = [...this.byColumn].map(([column, list]) => {
      const more = (this.counts.get(column) ?? 0) - list.length;
      return [column, more > 0 ? [...list, `…and ${more} more in this column.`] : list] as const;
    });
    // fromEntries defines own properties, whatever a column is called.
    return Object.fromEntries(entries);
  }
}

/** The first few messages of a kind and how many there were, so a bad file of a million rows costs a few strings. */
class Examples {
  private readonly kept: string[] = [];
  count = 0;

  add(message: string): void {
    if (this.kept.length < MAX_EXAMPLES) this.kept.push(message);
    this.count++;
  }

  get first(): string {
    return this.kept[0] ?? "";
  }

  summary(): string[] {
    const more = this.count - this.kept.length;
    return more > 0 ? [...this.kept, `…and ${more} more.`] : [...this.kept];
  }
}

function summarise(messages: string[]): string[] {
  if (messages.length <= MAX_EXAMPLES) return messages;
  return [...messages.slice(0, MAX_EXAMPLES), `…and ${messages.length - MAX_EXAMPLES} more.`];
}

function listNames(names: string[], max = 40): string {
  const shown = names.slice(0, max).map((n) => `"${n}"`).join(", ");
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}
