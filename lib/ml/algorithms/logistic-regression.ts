import { z } from "zod";
import { NotFittedError } from "../errors";
import { checkRows, checkTrainingData, yieldToEventLoop } from "./data-checks";
import { defineAlgorithm, type HyperparameterSpecs, type HyperparameterValues } from "./define";
import type { Estimator, FitOptions } from "./types";

/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS) with a
 * backtracking line search, on flat Float64Arrays.
 *
 * Why not ml-logistic-regression: it runs plain gradient descent on ml-matrix
 * objects, about 0.2 s per step on 60,000 x 20 rows, and needs thousands of steps
 * to converge. Newton needs about ten steps here; each costs one pass to build
 * the (features+1)^2 Hessian, a few tens of milliseconds, so a full fit on
 * 60,000 x 20 takes a fraction of a second. No randomness, so the seed is only
 * recorded.
 *
 * Objective: mean log loss + l2/2 * |coef|^2, intercept not penalised. Scaling by
 * 1/n keeps `l2` meaningful whatever the row count.
 */

const hyperparameters = {
  /** L2 penalty on the coefficients, not the intercept: minimise mean log loss + l2/2 * |coef|^2. */
  l2: { type: "number", min: 0, max: 1000, default: 1e-3, help: "Strength of the L2 penalty on the coefficients." },
  max_iter: { type: "integer", min: 1, max: 1000, default: 50, help: "Most optimisation steps before stopping." },
  /** Stop when every component of the gradient is below this. */
  tol: { type: "number", gt: 0, max: 1, default: 1e-6, help: "Stop once every gradient component is below this." },
} satisfies HyperparameterSpecs;

type LogisticRegressionHyperparameters = HyperparameterValues<typeof hyperparameters>;

const logisticRegressionStateSchema = z.object({
  coef: z.array(z.number()).min(1),
  intercept: z.number(),
  n_iter: z.number().int().min(0),
  converged: z.boolean(),
});

export type LogisticRegressionState = z.output<typeof logisticRegressionStateSchema>;

/** Seconds per row x (features+1)^2 for one Newton step (Hessian build dominates), measured by scripts/bench-ml.ts. */
const SECONDS_PER_ROW_WIDTH2 = 1.2e-9;
/** Newton usually converges in about this many steps on standardised data. */
const TYPICAL_ITERATIONS = 10;

export const logisticRegression = defineAlgorithm({
  name: "logistic_regression",
  label: "Logistic regression",
 
  description: "L2-regularised, fitted by Newton's method: fast, and a strong baseline on Elo-like features.",
  hyperparameters,
  stateSchema: logisticRegressionStateSchema,
  create: (hp, _seed) => new LogisticRegression(hp),
  restore: (hp, _seed, state) => LogisticRegression.fromState(hp, state),
  estimateSeconds: (hp, rows, features) => Math.min(hp.max_iter, TYPICAL_ITERATIONS) * SECONDS_PER_ROW_WIDTH2 * rows * (features + 1) ** 2,
});

const ARMIJO = 1e-4;
const MIN_STEP = 1e-10;

interface Fitted {
  coef: Float64Array;
  intercept: number;
  iterations: number;
  converged: boolean;
}

class LogisticRegression implements Estimator<LogisticRegressionState> {
  private fitted: Fitted | null = null;

  constructor(private readonly hyperparameters: LogisticRegressionHyperparameters) {}

  async fit(X: number[][], y: number[], options: FitOptions = {}): Promise<void> {
    const p = checkTrainingData(X, y);
    const { l2, max_iter: maxIter, tol } = this.hyperparameters;
    const n = X.length;
    const d = p + 1; // last column is the intercept's constant 1
    const design = new Float64Array(n * d);
    const labels = Float64Array.from(y);
    for (let i = 0; i < n; i++) {
      design.set(X[i], i * d);
      design[i * d + p] = 1;
    }

    const w = new Float64Array(d);
    // Start the intercept at the base rate's log-odds: one fewer Newton step.
    const positives = labels.reduce((s, v) => s + v, 0);
    if (positives > 0 && positives < n) w[p] = Math.log(positives / (n - positives));

    const z = new Float64Array(n);
    let loss = objective(design, labels, w, z, n, d, l2);
    const grad = new Float64Array(d);
    const hessian = new Float64Array(d * d);
    const step = new Float64Array(d);
    const trial = new Float64Array(d);
    const trialZ = new Float64Array(n);
    let iterations = 0;
    let converged = false;

    while (iterations < maxIter) {
      gradientAndHessian(design, labels, w, z, n, d, l2, grad, hessian);
      if (maxAbs(grad) < tol) {
        converged = true;
        break;
      }
      solveSymmetric(hessian, grad, step, d);
      const slope = dot(grad, step, d); // > 0: the step is a descent direction for -step
      let t = 1;
      let accepted = false;
      while (t >= MIN_STEP) {
        for (let j = 0; j < d; j++) trial[j] = w[j] - t * step[j];
        const trialLoss = objective(design, labels, trial, trialZ, n, d, l2);
        if (trialLoss <= loss - ARMIJO * t * slope) {
          w.set(trial);
          z.set(trialZ);
          loss = trialLoss;
          accepted = true;
          break;
        }
        t /= 2;
      }
      iterations++;
      await options.onProgress?.(iterations / maxIter);
      await yieldToEventLoop();
      // No step lowers the loss any more (rounding near the optimum, or a
      // tolerance tighter than the data allows): stop rather than spin.
      if (!accepted) break;
    }
    await options.onProgress?.(1);
    this.fitted = { coef: w.slice(0, p), intercept: w[p], iterations, converged };
  }

  predictProba(X: number[][]): number[] {
    if (!this.fitted) throw new NotFittedError("logistic regression");
    const { coef, intercept } = this.fitted;
    checkRows(X, coef.length);
    const out = new Array<number>(X.length);
    for (let i = 0; i < X.length; i++) {
      const row = X[i];
      let s = intercept;
      for (let j = 0; j < coef.length; j++) s += coef[j] * row[j];
      out[i] = sigmoid(s);
    }
    return out;
  }

  state(): LogisticRegressionState {
    if (!this.fitted) throw new NotFittedError("logistic regression");
    return {
      coef: Array.from(this.fitted.coef),
      intercept: this.fitted.intercept,
      n_iter: this.fitted.iterations,
      converged: this.fitted.converged,
    };
  }

  static fromState(hyperparameters: LogisticRegressionHyperparameters, state: LogisticRegressionState): LogisticRegression {
    const model = new LogisticRegression(hyperparameters);
    model.fitted = {
      coef: Float64Array.from(state.coef),
      intercept: state.intercept,
      iterations: state.n_iter,
      converged: state.converged,
    };
    return model;
  }
}

function sigmoid(s: number): number {
  if (s >= 0) return 1 / (1 + Math.exp(-s));
  const e = Math.exp(s);
  return e / (1 + e);
}

/** Mean log loss plus penalty; also leaves the linear scores in `z` for the next gradient. */
function objective(A: Float64Array, y: Float64Array, w: Float64Array, z: Float64Array, n: number, d: number, l2: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const off = i * d;
    for (let j = 0; j < d; j++) s += A[off + j] * w[j];
    z[i] = s;
    // log(1 + e^s) - y*s, without overflow for large |s|
    sum += Math.max(s, 0) + Math.log1p(Math.exp(-Math.abs(s))) - y[i] * s;
  }
  let penalty = 0;
  for (let j = 0; j < d - 1; j++) penalty += w[j] * w[j];
  return sum / n + (l2 / 2) * penalty;
}

/** Gradient and Hessian (full symmetric matrix) of `objective` at scores z. */
function gradientAndHessian(
  A: Float64Array, y: Float64Array, w: Float64Array, z: Float64Array,
  n: number, d: number, l2: number, grad: Float64Array, H: Float64Array,
): void {
  grad.fill(0);
  H.fill(0);
  for (let i = 0; i < n; i++) {
    const prob = sigmoid(z[i]);
    const residual = prob - y[i];
    const weight = prob * (1 - prob);
    const off = i * d;
    for (let j = 0; j < d; j++) {
      const aj = A[off + j];
      grad[j] += residual * aj;
      const wj = weight * aj;
      const rowJ = j * d;
      for (let k = 0; k <= j; k++) H[rowJ + k] += wj * A[off + k];
    }
  }
  for (let j = 0; j < d; j++) {
    grad[j] /= n;
    for (let k = 0; k <= j; k++) {
      H[j * d + k] /= n;
      H[k * d + j] = H[j * d + k];
    }
  }
  for (let j = 0; j < d - 1; j++) {
    grad[j] += l2 * w[j];
    H[j * d + j] += l2;
  }
}

/**
 * Solves H x = b by Cholesky. With l2 = 0 and separable or collinear data H can
 * be singular; then a growing ridge is added until the factorisation succeeds,
 * which turns the step into a damped Newton (Levenberg-style) step.
 */
function solveSymmetric(H: Float64Array, b: Float64Array, x: Float64Array, d: number): void {
  let trace = 0;
  for (let j = 0; j < d; j++) trace += H[j * d + j];
  const L = new Float64Array(d * d);
  for (let ridge = 0, attempt = 0; attempt < 20; attempt++, ridge = ridge === 0 ? 1e-12 * Math.max(trace / d, 1e-12) : ridge * 100) {
    if (cholesky(H, L, d, ridge)) {
      // forward then back substitution
      for (let i = 0; i < d; i++) {
        let s = b[i];
        for (let k = 0; k < i; k++) s -= L[i * d + k] * x[k];
        x[i] = s / L[i * d + i];
      }
      for (let i = d - 1; i >= 0; i--) {
        let s = x[i];
        for (let k = i + 1; k < d; k++) s -= L[k * d + i] * x[k];
        x[i] = s / L[i * d + i];
      }
      return;
    }
  }
  // Unreachable for finite input: a large enough ridge makes any symmetric matrix positive definite.
  throw new Error("Logistic regression: the Hessian could not be factorised (non-finite features?).");
}

function cholesky(H: Float64Array, L: Float64Array, d: number, ridge: number): boolean {
  L.fill(0);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = H[i * d + j] + (i === j ? ridge : 0);
      for (let k = 0; k < j; k++) s -= L[i * d + k] * L[j * d + k];
      if (i === j) {
        if (!(s > 0)) return false;
        L[i * d + i] = Math.sqrt(s);
      } else {
        L[i * d + j] = s / L[j * d + j];
      }
    }
  }
  return true;
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (const x of v) m = Math.max(m, Math.abs(x));
  return m;
}

function dot(a: Float64Array, b: Float64Array, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += a[j] * b[j];
  return s;
}
