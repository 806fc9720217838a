/**
 * Markdown tables for generated reports. Cells are text; numbers are formatted
 * by the caller (see `fixed`, `ms`, `bytes`), so a report decides its own precision.
 */

export type Align = "left" | "right";

function escapeCell(cell: string): string {
  return cell.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

export function markdownTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, align: readonly Align[] = []): string {
  if (headers.length === 0) throw new RangeError("A table needs at least one column.");
  rows.forEach((row, i) => {
    if (row.length !== headers.length) {
      throw new RangeError(`Row ${i + 1} has ${row.length} cells but the table has ${headers.length} columns.`);
    }
  });
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(" | ")} |`;
  const rule = headers.map((_, i) => (align[i] === "right" ? "---:" : "---"));
  return [line(headers), `| ${rule.join(" | ")} |`, ...rows.map(line)].join("\n");
}

/** Fixed decimals; "n/a" for values that are missing or not finite. */
export function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(digits);
}

/** Milliseconds with precision that suits their size: 0.42 ms, 12.3 ms, 4,321 ms. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  if (value < 1) return `${value.toFixed(2)} ms`;
  if (value < 100) return `${value.toFixed(1)} ms`;
  return `${Math.round(value).toLocaleString("en-US")} ms`;
}

/** Median with its range: "12.3 ms (11.9–13.0)". */
export function withRange(s: { median: number; min: number; max: number }, format: (v: number) => string): string {
  return `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}

export function bytes(value: number): string {
  if (value < 1024) return `${value} B`;
  if (value < 1024 * 1024) return `${(value / 1024).toFixed(1)} KB`;
  return `${(value / 1024 / 1024).toFixed(2)} MB`;
}
