/** Chronological splits: which rows fall in which span of seasons. */

export interface SeasonSpan {
  name: string;
  /** Inclusive; omitted means "from the first season". */
  from?: number;
  /** Inclusive; omitted means "to the last season". */
  to?: number;
}

function inSpan(season: number, span: SeasonSpan): boolean {
  return (span.from === undefined || season >= span.from) && (span.to === undefined || season <= span.to);
}

/**
 * Rows grouped by span, keeping their order. Spans must not overlap: a game in
 * two of them would be trained on and tested on at once.
 */
export function splitBySeason<T extends { season: number }>(rows: readonly T[], spans: readonly SeasonSpan[]): Record<string, T[]> {
  for (let i = 0; i < spans.length; i++) {
    const a = spans[i];
    if (a.from !== undefined && a.to !== undefined && a.from > a.to) throw new RangeError(`Span "${a.name}" ends before it starts.`);
    for (let j = i + 1; j < spans.length; j++) {
      const b = spans[j];
      const overlap = (a.from ?? -Infinity) <= (b.to ?? Infinity) && (b.from ?? -Infinity) <= (a.to ?? Infinity);
      if (overlap) throw new RangeError(`Spans "${a.name}" and "${b.name}" overlap.`);
    }
  }
  const out: Record<string, T[]> = Object.fromEntries(spans.map((s) => [s.name, [] as T[]]));
  for (const row of rows) {
    const span = spans.find((s) => inSpan(row.season, s));
    if (span) out[span.name].push(row);
  }
  return out;
}

/** "1947–2010", "2014", "up to 2010". */
export function describeSpan(span: SeasonSpan): string {
  if (span.from === undefined && span.to === undefined) return "all seasons";
  if (span.from === undefined) return `up to ${span.to}`;
  if (span.to === undefined) return `from ${span.from}`;
  return span.from === span.to ? String(span.from) : `${span.from}–${span.to}`;
}
