import { z } from "zod";
import type { ParsedCsv } from "@/lib/ml/csv";
import { parseNumber } from "@/lib/ml/csv-facts";
import { logLoss } from "@/lib/ml/metrics";
import { ELO_BASELINE_COLUMNS } from "@/lib/nba/features";

/**
 * How well calibrated an ensemble is on the meta rows it did not fit on, and
 * how its log loss compares season by season with the Elo forecast those rows
 * carry. Summarised at build time from the probabilities the build already
 * computed (nothing is refitted), and small enough to keep with each run.
 */

export const CALIBRATION_BINS = 10;
export const HOLDOUT_SUMMARY_VERSION = 1;

const binSchema = z.object({
  /** Probabilities in [from, to) (the last bin includes 1). */
  from: z.number(),
  to: z.number(),
  n: z.number().int().min(1),
  mean_predicted: z.number(),
  /** Share of the bin's games team 1 won. */
  observed: z.number(),
});
export type CalibrationBin = z.infer<typeof binSchema>;

export const holdoutSummarySchema = z.object({
  version: z.literal(HOLDOUT_SUMMARY_VERSION),
  n: z.number().int().min(1),
  log_loss: z.number(),
  /** The Elo probability column the rows carry (the product's own first), or null when they carry none. */
  baseline: z.object({ column: z.string(), log_loss: z.number() }).nullable(),
  calibration: z.object({ ensemble: z.array(binSchema), baseline: z.array(binSchema).nullable() }),
  /** Empty when the rows have no season column. */
  seasons: z.array(z.object({ season: z.number().int(), n: z.number().int().min(1), log_loss: z.number(), baseline_log_loss: z.number().nullable() })),
});
export type HoldoutSummary = z.infer<typeof holdoutSummarySchema>;

/** A stored summary, or null for runs from before summaries were kept (or anything unreadable). */
export function readHoldoutSummary(value: unknown): HoldoutSummary | null {
  const parsed = holdoutSummarySchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Equal-width bins over [0, 1]; empty bins are left out. */
export function calibrationBins(y: readonly number[], p: readonly number[], bins = CALIBRATION_BINS): CalibrationBin[] {
  const count = new Array<number>(bins).fill(0);
  const sumP = new Array<number>(bins).fill(0);
  const wins = new Array<number>(bins).fill(0);
  for (let i = 0; i < p.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p[i] * bins)));
    count[b]++;
    sumP[b] += p[i];
    wins[b] += y[i];
  }
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    out.push({ from: b / bins, to: (b + 1) / bins, n: count[b], mean_predicted: sumP[b] / count[b], observed: wins[b] / count[b] });
  }
  return out;
}

/**
 * The columns a summary reads, as one number per meta row: NaN where the value
 * is missing or not what the column must hold (a probability, a whole season).
 * Derived once per meta CSV content and kept with what else a build derives
 * from it (lib/ensemble/meta-inputs.ts), so a build need not parse the CSV.
 */
export interface HoldoutColumns {
  season: Float64Array | null;
  /** The Elo probability columns the rows carry, in ELO_BASELINE_COLUMNS order. */
  baselines: Array<{ column: string; values: Float64Array }>;
}

export function holdoutColumns(table: ParsedCsv): HoldoutColumns {
  const column = (name: string, ok: (v: number) => boolean): Float64Array | null => {
    const j = table.columns.indexOf(name);
    if (j === -1) return null;
    const out = new Float64Array(table.rows.length);
    for (let i = 0; i < out.length; i++) {
      const v = parseNumber(table.rows[i]?.[j]);
      out[i] = v !== null && ok(v) ? v : Number.NaN;
    }
    return out;
  };
  const baselines: HoldoutColumns["baselines"] = [];
  for (const name of ELO_BASELINE_COLUMNS) {
    const values = column(name, (v) => v >= 0 && v <= 1);
    if (values) baselines.push({ column: name, values });
  }
  return { season: column("season", Number.isInteger), baselines };
}

/** A column's values on the given rows, or null unless every one is there. */
function valuesOn(values: Float64Array | null, rows: readonly number[]): number[] | null {
  if (!values) return null;
  const out = new Array<number>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = values[rows[i]];
    if (Number.isNaN(v) || v === undefined) return null;
    out[i] = v;
  }
  return out;
}

export function summarizeHoldout(columns: HoldoutColumns, holdout: { rows: readonly number[]; y: readonly number[]; probabilities: readonly number[] }): HoldoutSummary {
  const { rows, y, probabilities: p } = holdout;
  let baseline: { column: string; p: number[] } | null = null;
  for (const { column, values: all } of columns.baselines) {
    const values = valuesOn(all, rows);
    if (values) {
      baseline = { column, p: values };
      break;
    }
  }
  const baselineP = baseline?.p ?? null;
  const season = valuesOn(columns.season, rows);
  const seasons: HoldoutSummary["seasons"] = [];
  if (season) {
    const bySeason = new Map<number, number[]>();
    season.forEach((s, i) => {
      const list = bySeason.get(s);
      if (list) list.push(i);
      else bySeason.set(s, [i]);
    });
    for (const [s, idx] of [...bySeason].sort((a, b) => a[0] - b[0])) {
      const ys = idx.map((i) => y[i]);
      seasons.push({
        season: s,
        n: idx.length,
        log_loss: logLoss(ys, idx.map((i) => p[i])),
        baseline_log_loss: baselineP ? logLoss(ys, idx.map((i) => baselineP[i])) : null,
      });
    }
  }
  return {
    version: HOLDOUT_SUMMARY_VERSION,
    n: rows.length,
    log_loss: logLoss(y, p),
    baseline: baseline ? { column: baseline.column, log_loss: logLoss(y, baseline.p) } : null,
    calibration: { ensemble: calibrationBins(y, p), baseline: baseline ? calibrationBins(y, baseline.p) : null },
    seasons,
  };
}
