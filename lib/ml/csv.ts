import Papa from "papaparse";
import { ValidationError } from "@/lib/errors";
import { ColumnTally, FACTS_VERSION, MAX_EXAMPLES, MIN_TRAINING_ROWS, checkColumnChoice, checkFactsFit, summarise, type CsvFacts, type MatrixSpec } from "./csv-facts";

export { MIN_TRAINING_ROWS, type MatrixSpec } from "./csv-facts";

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

/** Spreadsheet exports often start with a byte-order mark that would stick to the first header. */
const BYTE_ORDER_MARK = /^\uFEFF/;

/** Wider tables are refused: nothing here needs them, and a huge header is costly to check and to store. */
export const MAX_COLUMNS = 1000;

export function parseCsv(text: string): ParsedCsv {
  return parsePlainCsv(text) ?? parseCsvWithScanner(text);
}

/**
 * The common case without the CSV parser: no quotes, no other delimiter Papa
 * could guess (";", tab) and "\n" line ends, so every line splits on commas
 * and comes out exactly as the scanner gives it. Anything unusual, and every
 * refusal, returns null and goes through the scanner, which words the errors.
 * Parsing the bench's meta CSV this way takes a fraction of the scanner's time.
 */
export function parsePlainCsv(text: string): ParsedCsv | null {
  const source = text.replace(BYTE_ORDER_MARK, "");
  if (/["\r;\t]/.test(source)) return null;
  const all = source.split("\n");
  let columns: string[] | null = null;
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let i = 0; i < all.length; i++) {
    const cells = all[i].split(",");
    if (isBlank(cells)) continue;
    if (columns === null) {
      if (cells.length > MAX_COLUMNS) return null;
      columns = cells.map((name) => name.trim());
      if (checkHeader(columns) !== null) return null;
      continue;
    }
    if (cells.length !== columns.length) return null;
    rows.push(cells);
    lines.push(i + 1);
  }
  if (columns === null || rows.length === 0) return null;
  return { columns, rows, lines };
}

/** Any CSV, through the scanner; exported so tests can hold the plain path to it. */
export function parseCsvWithScanner(text: string): ParsedCsv {
  const rows: string[][] = [];
  const lines: number[] = [];
  const { columns } = scanCsv(text, {
    row: (cells, line) => {
      rows.push(cells);
      lines.push(line);
    },
  });
  return { columns, rows, lines };
}

/**
 * One pass over a CSV: checks quotes, the header (names, width) and every row's
 * shape, and hands each well-formed data row to the visitor with its 1-based line.
 * Refusals come in a fixed order (width, quotes, empty file, header, no rows,
 * shape), each kept to a few examples however many there are.
 */
export interface CsvVisitor {
  header?(columns: string[]): void;
  row(cells: string[], line: number): void;
}

export function scanCsv(text: string, visit: CsvVisitor): { columns: string[]; rows: number } {
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
        if (headerProblem === null) visit.header?.(columns);
        return;
      }
      rowCount++;
      if (cells.length !== columns.length) {
        shapeProblems.add(`Line ${line} has ${cells.length} values but the header has ${columns.length} columns.`);
      } else if (headerProblem === null && shapeProblems.count === 0) {
        visit.row(cells, line);
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
 * A whole CSV as facts (columns, rows, and per column what its values are),
 * without keeping its rows: what an upload records. Refuses what parseCsv refuses.
 */
export function describeCsv(text: string): { columns: string[]; rows: number; facts: CsvFacts } {
  let tallies: ColumnTally[] = [];
  const { columns, rows } = scanCsv(text, {
    header: (names) => (tallies = names.map((name) => new ColumnTally(name))),
    row: (cells, line) => {
      for (let j = 0; j < cells.length; j++) tallies[j].add(cells[j], line);
    },
  });
  return { columns, rows, facts: { version: FACTS_VERSION, rows, columns: tallies.map((t) => t.facts()) } };
}

/**
 * Picks the feature and target columns and converts them to numbers. Only plain
 * decimal numbers are accepted (no "true"/"false", no NaN or Infinity), and the
 * target must be 0/1 with both classes present. Refusals come from checkFactsFit,
 * so a config checked against an upload's facts is refused with the same sentences.
 */
export function toNumericMatrix(parsed: ParsedCsv, spec: MatrixSpec): NumericMatrix {
  const { columns, rows } = parsed;
  const lineOf = (i: number) => parsed.lines?.[i] ?? i + 2;
  checkColumnChoice(columns, spec);

  const featureIdx = spec.features.map((name) => columns.indexOf(name));
  const targetIdx = columns.indexOf(spec.target);
  const featureTallies = spec.features.map((name) => new ColumnTally(name));
  const targetTally = new ColumnTally(spec.target);
  const X: number[][] = new Array(rows.length);
  const y: number[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const line = lineOf(r);
    const values = new Array<number>(featureIdx.length);
    for (let j = 0; j < featureIdx.length; j++) values[j] = featureTallies[j].add(row[featureIdx[j]], line) ?? NaN;
    X[r] = values;
    y[r] = targetTally.add(row[targetIdx], line) ?? NaN;
  }

  const chosen = new Map([...featureTallies, targetTally].map((t) => [t.name, t.facts()]));
  const facts = columns.map((name) => chosen.get(name) ?? new ColumnTally(name).facts());
  checkFactsFit({ version: FACTS_VERSION, rows: rows.length, columns: facts }, spec);
  return { X, y };
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
