import { createRng } from "./random";
import type { NumericMatrix } from "./csv";

/**
 * Seeded synthetic binary data for tests and benchmarks: features uniform in
 * [-1, 1], label 1 when x0 + 0.5 x1 - 0.3 x2 + noise > 0. `noise` is the width of
 * the uniform noise; 0 gives a linearly separable problem, 3 a weak signal like
 * game outcomes.
 */
export function syntheticBinary(rows: number, features: number, seed: number, noise = 0): NumericMatrix {
  if (features < 3) throw new RangeError("syntheticBinary needs at least 3 features.");
  const rng = createRng(seed);
  const X: number[][] = new Array(rows);
  const y: number[] = new Array(rows);
  for (let i = 0; i < rows; i++) {
    const row = Array.from({ length: features }, () => rng() * 2 - 1);
    const margin = row[0] + 0.5 * row[1] - 0.3 * row[2] + (rng() - 0.5) * noise;
    X[i] = row;
    y[i] = margin > 0 ? 1 : 0;
  }
  return { X, y };
}

/**
 * A small learnable CSV: y = 1 when a noisy linear score of f1..f4 is positive,
 * with values rounded as a spreadsheet would export them. Used by tests and the
 * responsiveness script; `target` names the label column. `extra` adds, before
 * the label, a `season` column (ten seasons from 2000 in turn) and a column of
 * the score's logistic under the given name, as a meta table carries a season
 * and a published forecast; neither draws from the random stream, so the rest
 * is the same with or without them.
 */
export function syntheticCsv(rows: number, seed = 7, target = "label", extra: { season?: boolean; probability?: string } = {}): string {
  const rnd = createRng(seed);
  const more = [...(extra.season ? ["season"] : []), ...(extra.probability ? [extra.probability] : [])];
  const lines = [["f1", "f2", "f3", "f4", ...more, target].join(",")];
  for (let i = 0; i < rows; i++) {
    const f = [rnd() * 2 - 1, rnd() * 2 - 1, rnd() * 10, rnd()];
    const score = 1.5 * f[0] - f[1] + 0.1 * (f[2] - 5) + (rnd() - 0.5);
    const values = f.map((v) => v.toFixed(4));
    if (extra.season) values.push(String(2000 + (i % 10)));
    if (extra.probability) values.push((1 / (1 + Math.exp(-score))).toFixed(4));
    lines.push(`${values.join(",")},${score > 0 ? 1 : 0}`);
  }
  return lines.join("\n") + "\n";
}
