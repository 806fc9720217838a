import { describe, expect, it } from "vitest";
import { syntheticBinary } from "../synthetic";
import { createClassifier } from "./index";
import type { LogisticRegressionState } from "./logistic-regression";

const noisy = syntheticBinary(2000, 5, 9, 2);

async function fit(hyperparameters: Record<string, number>): Promise<LogisticRegressionState> {
  const model = createClassifier("logistic_regression", hyperparameters, 0);
  await model.fit(noisy.X, noisy.y);
  return model.toJSON().state as LogisticRegressionState;
}

/** Gradient of mean log loss + l2/2 |coef|^2, computed independently of the implementation. */
function gradient(state: LogisticRegressionState, l2: number): number[] {
  const g = new Array<number>(state.coef.length + 1).fill(0);
  noisy.X.forEach((row, i) => {
    const s = state.intercept + row.reduce((acc, x, j) => acc + x * state.coef[j], 0);
    const r = 1 / (1 + Math.exp(-s)) - noisy.y[i];
    row.forEach((x, j) => (g[j] += (r * x) / noisy.X.length));
    g[row.length] += r / noisy.X.length;
  });
  state.coef.forEach((c, j) => (g[j] += l2 * c));
  return g;
}

describe("logistic regression (Newton)", () => {
  it("reaches the optimum of the penalised loss in a few iterations", async () => {
    const state = await fit({ l2: 0.01 });
    expect(state.converged).toBe(true);
    expect(state.n_iter).toBeLessThan(15);
    for (const g of gradient(state, 0.01)) expect(Math.abs(g)).toBeLessThan(1e-6);
    // the signal is x0 + 0.5 x1 - 0.3 x2; the other columns are noise
    expect(state.coef[0]).toBeGreaterThan(state.coef[1]);
    expect(state.coef[1]).toBeGreaterThan(0);
    expect(state.coef[2]).toBeLessThan(0);
  });

  it("shrinks the coefficients as l2 grows", async () => {
    const norm = (s: LogisticRegressionState) => Math.hypot(...s.coef);
    const [weak, strong] = await Promise.all([fit({ l2: 0.001 }), fit({ l2: 1 })]);
    expect(norm(strong)).toBeLessThan(norm(weak) / 2);
  });

  it("stops at max_iter and says it did not converge", async () => {
    const state = await fit({ max_iter: 1, tol: 1e-12 });
    expect(state.n_iter).toBe(1);
    expect(state.converged).toBe(false);
  });
});
