import { z } from "zod";
import { ValidationError, type FieldErrors } from "@/lib/errors";

/**
 * What a table's columns are, in a few numbers per column: enough to decide
 * whether a model config fits a dataset, and to say why not, without the rows.
 * Uploads record these once; checking a config against them costs nothing, and
 * toNumericMatrix refuses through the same check, so both say the same sentences.
 */

export interface MatrixSpec {
  features: string[];
  target: string;
}

/** Fewer rows than this cannot give a meaningful holdout score. */
export const MIN_TRAINING_ROWS = 20;

/** How many example problems to list per field before summarising the rest. */
export const MAX_EXAMPLES = 5;

/** Bump when the facts' meaning changes: stored facts of another version are computed again. */
export const FACTS_VERSION = 1;

const cellExample = z.object({ line: z.number().int(), text: z.string() });
export type CellExample = z.infer<typeof cellExample>;

const columnFacts = z.object({
  name: z.string(),
  /** Every cell is a plain decimal number. */
  numeric: z.boolean(),
  /** Every cell is 0 or 1: usable as a target. */
  binary: z.boolean(),
  /** Both 0 and 1 occur. */
  both_classes: z.boolean(),
  /** Empty or non-numeric cells, and the first few of them. */
  invalid: z.number().int().min(0),
  invalid_examples: z.array(cellExample),
  zeros: z.number().int().min(0),
  ones: z.number().int().min(0),
  /** Numbers other than 0 and 1 (what makes a column unusable as a target), and the first few. */
  other: z.number().int().min(0),
  other_examples: z.array(cellExample),
});
export type ColumnFacts = z.infer<typeof columnFacts>;

export const csvFactsSchema = z.object({
  version: z.literal(FACTS_VERSION),
  rows: z.number().int().min(0),
  columns: z.array(columnFacts),
});
export type CsvFacts = z.infer<typeof csvFactsSchema>;

/** Strict decimal syntax: Number() alone would accept "", " ", "0x1f", "Infinity". */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseNumber(cell: string | undefined): number | null {
  const text = (cell ?? "").trim();
  if (!DECIMAL.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** A cell as messages quote it: trimmed, and cut short so a huge cell is not echoed whole. */
function shownCell(cell: string | undefined): string {
  const text = (cell ?? "").trim();
  return text.length > 30 ? `${text.slice(0, 30)}…` : text;
}

/** Counts one column's cells as they go by, keeping the first few problems. */
export class ColumnTally {
  private invalid = 0;
  private readonly invalidExamples: CellExample[] = [];
  private zeros = 0;
  private ones = 0;
  private other = 0;
  private readonly otherExamples: CellExample[] = [];

  constructor(readonly name: string) {}

  /** The cell as a number, or null when it is empty or not a number. */
  add(cell: string | undefined, line: number): number | null {
    const value = parseNumber(cell);
    if (value === null) {
      this.invalid++;
      if (this.invalidExamples.length < MAX_EXAMPLES) this.invalidExamples.push({ line, text: shownCell(cell) });
    } else if (value === 0) this.zeros++;
    else if (value === 1) this.ones++;
    else {
      this.other++;
      if (this.otherExamples.length < MAX_EXAMPLES) this.otherExamples.push({ line, text: shownCell(cell) });
    }
    return value;
  }

  facts(): ColumnFacts {
    const numeric = this.invalid === 0;
    return {
      name: this.name,
      numeric,
      binary: numeric && this.other === 0,
      both_classes: this.zeros > 0 && this.ones > 0,
      invalid: this.invalid,
      invalid_examples: [...this.invalidExamples],
      zeros: this.zeros,
      ones: this.ones,
      other: this.other,
      other_examples: [...this.otherExamples],
    };
  }
}

function badCellMessage(example: CellExample, column: string): string {
  if (example.text === "") return `Line ${example.line}: column "${column}" is empty.`;
  return `Line ${example.line}: "${example.text}" in column "${column}" is not a number.`;
}

/**
 * Throws the ValidationError a model of `spec` over this table would be refused
 * with: unknown or repeated columns, too few rows, empty or non-numeric values
 * (naming the first line), a target that is not 0/1 or has one class.
 */
export function checkFactsFit(facts: CsvFacts, spec: MatrixSpec): void {
  checkColumnChoice(
    facts.columns.map((c) => c.name),
    spec,
  );
  if (facts.rows < MIN_TRAINING_ROWS) {
    throw new ValidationError(`The CSV has only ${facts.rows} data rows.`, {
      file: [`The CSV has ${facts.rows} data rows; at least ${MIN_TRAINING_ROWS} are needed to train and test a model.`],
    });
  }
  const byName = new Map(facts.columns.map((c) => [c.name, c]));
  const chosen = [...spec.features, spec.target].map((name) => byName.get(name) as ColumnFacts);

  // Columns in feature-then-target order and examples in line order: the earliest
  // line wins, and within a line the first chosen column, as a row-by-row scan finds them.
  let total = 0;
  let first: { line: number; message: string } | null = null;
  const cellFields = new Map<string, string[]>();
  for (const column of chosen) {
    if (column.invalid === 0) continue;
    total += column.invalid;
    const messages = column.invalid_examples.map((e) => badCellMessage(e, column.name));
    const more = column.invalid - messages.length;
    cellFields.set(column.name, more > 0 ? [...messages, `…and ${more} more in this column.`] : messages);
    const earliest = column.invalid_examples[0];
    if (earliest && (first === null || earliest.line < first.line)) first = { line: earliest.line, message: messages[0] };
  }
  if (total > 0) {
    throw new ValidationError(
      `The CSV has ${total} empty or non-numeric values in the chosen columns; ${first?.message ?? ""}`,
      Object.fromEntries(cellFields),
    );
  }

  const target = chosen[chosen.length - 1];
  if (target.other > 0) {
    const messages = target.other_examples.map((e) => `Line ${e.line}: the target "${spec.target}" is ${e.text}; it must be 0 or 1.`);
    const more = target.other - messages.length;
    throw new ValidationError(`The target column "${spec.target}" must contain only 0 and 1.`, {
      target: more > 0 ? [...messages, `…and ${more} more.`] : messages,
    });
  }
  if (!target.both_classes) {
    throw new ValidationError(`The target column "${spec.target}" has only one class.`, {
      target: [`Every row of "${spec.target}" is ${target.ones > 0 ? 1 : 0}; a classifier needs both 0 and 1 rows.`],
    });
  }
}

export function checkColumnChoice(columns: string[], spec: MatrixSpec): void {
  const fields: FieldErrors = {};
  const known = new Set(columns);
  const available = `Available columns: ${listNames(columns)}.`;
  if (spec.features.length === 0) {
    (fields.features ??= []).push("Choose at least one feature column.");
  }
  const unknown = spec.features.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    (fields.features ??= []).push(`Unknown feature column${unknown.length > 1 ? "s" : ""}: ${listNames(unknown)}. ${available}`);
  }
  const repeated = spec.features.filter((name, i) => spec.features.indexOf(name) !== i);
  if (repeated.length > 0) {
    (fields.features ??= []).push(`Feature column${repeated.length > 1 ? "s" : ""} chosen twice: ${listNames([...new Set(repeated)])}.`);
  }
  if (!known.has(spec.target)) {
    (fields.target ??= []).push(`Unknown target column "${spec.target}". ${available}`);
  } else if (spec.features.includes(spec.target)) {
    // The label as an input makes a perfect, useless model.
    (fields.target ??= []).push(`The target "${spec.target}" is also chosen as a feature; remove it from the features.`);
  }
  if (Object.keys(fields).length > 0) {
    throw new ValidationError("The chosen feature or target columns do not match the CSV.", fields);
  }
}

export function summarise(messages: string[]): string[] {
  if (messages.length <= MAX_EXAMPLES) return messages;
  return [...messages.slice(0, MAX_EXAMPLES), `…and ${messages.length - MAX_EXAMPLES} more.`];
}

function listNames(names: string[], max = 40): string {
  const shown = names.slice(0, max).map((n) => `"${n}"`).join(", ");
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}
