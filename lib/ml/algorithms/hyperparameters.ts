import { z } from "zod";
import type { Algorithm } from "./types";

/**
 * Hyperparameter schemas: the single place that says which settings exist, their
 * ranges and defaults. Strict, so a typo ("n_estimator") is an error rather than
 * a silently ignored setting. Values must be numbers; forms convert first.
 */

function wholeNumber(name: string, min: number, max: number, fallback: number) {
  const range = `${name} must be a whole number from ${min} to ${max}.`;
  return z
    .number({ error: `${name} must be a number.` })
    .int({ error: range })
    .min(min, { error: range })
    .max(max, { error: range })
    .default(fallback);
}

function realNumber(name: string, range: { gt?: number; min?: number; max: number }, fallback: number) {
  const lower = range.gt !== undefined ? `greater than ${range.gt}` : `at least ${range.min}`;
  const message = `${name} must be ${lower} and at most ${range.max}.`;
  let schema = z.number({ error: `${name} must be a number.` });
  schema = range.gt !== undefined ? schema.gt(range.gt, { error: message }) : schema.min(range.min ?? 0, { error: message });
  return schema.max(range.max, { error: message }).default(fallback);
}

export const randomForestHyperparametersSchema = z.strictObject({
  /** Number of trees. Training time grows linearly with it. */
  n_estimators: wholeNumber("n_estimators", 1, 300, 40),
  max_depth: wholeNumber("max_depth", 1, 30, 8),
  /**
   * Rows drawn (with replacement) for each tree. The tree learner's cost grows
   * with the square of its rows, so this, not the CSV size, bounds training time.
   */
  max_samples: wholeNumber("max_samples", 50, 20_000, 1500),
  /** Share of the feature columns each tree may split on. */
  max_features: realNumber("max_features", { gt: 0, max: 1 }, 0.8),
  /** A node with fewer rows than this becomes a leaf (the library's minNumSamples + 1). */
  min_samples_split: wholeNumber("min_samples_split", 2, 1000, 10),
});

export const logisticRegressionHyperparametersSchema = z.strictObject({
  /** L2 penalty on the coefficients, not the intercept: minimise mean log loss + l2/2 * |coef|^2. */
  l2: realNumber("l2", { min: 0, max: 1000 }, 1e-3),
  max_iter: wholeNumber("max_iter", 1, 1000, 50),
  /** Stop when every component of the gradient is below this. */
  tol: realNumber("tol", { gt: 0, max: 1 }, 1e-6),
});

export type RandomForestHyperparameters = z.output<typeof randomForestHyperparametersSchema>;
export type LogisticRegressionHyperparameters = z.output<typeof logisticRegressionHyperparametersSchema>;

export const HYPERPARAMETER_SCHEMAS = {
  random_forest: randomForestHyperparametersSchema,
  logistic_regression: logisticRegressionHyperparametersSchema,
} satisfies Record<Algorithm, z.ZodType>;

export function defaultHyperparameters(algorithm: Algorithm): Record<string, number> {
  return { ...HYPERPARAMETER_SCHEMAS[algorithm].parse({}) };
}
