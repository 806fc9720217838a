import { z } from "zod";
import { DimensionMismatchError } from "./errors";

/**
 * Platt scaling: P(y = 1 | s) = 1 / (1 + exp(a * s + b)). Platt's sign convention,
 * so a is negative when higher scores mean class 1.
 */
export interface PlattState {
  type: "sigmoid";
  a: number;
  b: number;
}

export const plattStateSchema = z.object({ type: z.literal("sigmoid"), a: z.number(), b: z.number() });

const MAX_ITER = 100;
const MIN_STEP = 1e-10;
/** Ridge on the Hessian diagonal so a flat or perfectly separated fit stays invertible. */
const HESSIAN_RIDGE = 1e-12;
const GRADIENT_TOL = 1e-5;

/**
 * Newton's method with backtracking line search, as in Lin, Lin & Weng (2007),
 * "A note on Platt's probabilistic outputs for support vector machines" (the
 * variant libsvm and scikit-learn use). Targets are Platt's (1999) smoothed
 * labels, (N+ + 1)/(N+ + 2) and 1/(N- + 2), which keep perfectly separated scores
 * from driving a to infinity. No randomness, so the fit is deterministic.
 */
export function fitPlatt(scores: readonly number[], y: readonly number[]): PlattState {
  if (scores.length !== y.length) throw new DimensionMismatchError(`${scores.length} scores but ${y.length} labels.`);
  if (scores.length === 0) throw new DimensionMismatchError("Cannot calibrate on zero rows.");
  const n = scores.length;
  let positives = 0;
  for (const label of y) if (label === 1) positives++;
  const negatives = n - positives;
  const hiTarget = (positives + 1) / (positives + 2);
  const loTarget = 1 / (negatives + 2);
  const t = y.map((label) => (label === 1 ? hiTarget : loTarget));

  // Negative log-likelihood of the smoothed targets, written to avoid overflow in exp.
  const objective = (a: number, b: number) => {
    let f = 0;
    for (let i = 0; i < n; i++) {
      const z = scores[i] * a + b;
      f += z >= 0 ? t[i] * z + Math.log1p(Math.exp(-z)) : (t[i] - 1) * z + Math.log1p(Math.exp(z));
    }
    return f;
  };

  let a = 0;
  let b = Math.log((negatives + 1) / (positives + 1));
  let fval = objective(a, b);
  for (let iter = 0; iter < MAX_ITER; iter++) {
    let h11 = HESSIAN_RIDGE;
    let h22 = HESSIAN_RIDGE;
    let h21 = 0;
    let g1 = 0;
    let g2 = 0;
    for (let i = 0; i < n; i++) {
      const z = scores[i] * a + b;
      // p = P(y = 1) = 1 / (1 + e^z), q = 1 - p, each computed without overflow.
      const e = Math.exp(-Math.abs(z));
      const p = z >= 0 ? e / (1 + e) : 1 / (1 + e);
      const q = z >= 0 ? 1 / (1 + e) : e / (1 + e);
      const d2 = p * q;
      h11 += scores[i] * scores[i] * d2;
      h22 += d2;
      h21 += scores[i] * d2;
      const d1 = t[i] - p;
      g1 += scores[i] * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < GRADIENT_TOL && Math.abs(g2) < GRADIENT_TOL) break;

    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const descent = g1 * dA + g2 * dB;
    let step = 1;
    while (step >= MIN_STEP) {
      const newA = a + step * dA;
      const newB = b + step * dB;
      const newF = objective(newA, newB);
      if (newF < fval + 1e-4 * step * descent) {
        a = newA;
        b = newB;
        fval = newF;
        break;
      }
      step /= 2;
    }
    if (step < MIN_STEP) break; // no further progress possible along the Newton direction
  }
  return { type: "sigmoid", a, b };
}

export function applyPlatt(state: PlattState, scores: readonly number[]): number[] {
  return scores.map((s) => {
    const z = state.a * s + state.b;
    if (z >= 0) {
      const e = Math.exp(-z);
      return e / (1 + e);
    }
    return 1 / (1 + Math.exp(z));
  });
}
