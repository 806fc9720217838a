import type { Algorithm } from "./types";

/**
 * Rough training-time forecast in seconds, for the UI to warn before a long run.
 * Constants are CPU seconds measured on the 2-core development machine
 * (scripts/bench-ml.ts). Wall time on a busy shared machine was two to three
 * times longer, so present the result as "about", never as a promise.
 */

/** Seconds per (sampled row)^2 x (feature used) for one tree of depth 8 on noisy data. */
const RF_SECONDS_PER_ROW2_FEATURE = 4.2e-8;
/** Seconds per row x feature per tree for sampling and copying the bootstrap. */
const RF_SECONDS_PER_ROW_FEATURE = 2e-8;
/** Seconds per row x (features+1)^2 for one Newton step (Hessian build dominates). */
const LR_SECONDS_PER_ROW_WIDTH2 = 1.2e-9;
/** Newton usually converges in about this many steps on standardised data. */
const LR_TYPICAL_ITERATIONS = 10;

export function estimateTrainingSeconds(
  algorithm: Algorithm,
  hyperparameters: Record<string, number>,
  rows: number,
  features: number,
): number {
  if (algorithm === "random_forest") {
    const trees = hyperparameters.n_estimators ?? 40;
    const sampled = Math.min(hyperparameters.max_samples ?? 1500, rows);
    const used = Math.max(1, Math.floor((hyperparameters.max_features ?? 0.8) * features));
    // A node costs O(rows^2) in the library's CART, and each level of a tree
    // holds at most all the rows, so shallow trees save up to about half.
    const depth = hyperparameters.max_depth ?? 8;
    const depthFactor = (2 - 2 ** (1 - depth)) / (2 - 2 ** -7);
    const perTree = RF_SECONDS_PER_ROW2_FEATURE * sampled * sampled * used * depthFactor + RF_SECONDS_PER_ROW_FEATURE * sampled * used;
    return trees * perTree;
  }
  const iterations = Math.min(hyperparameters.max_iter ?? 50, LR_TYPICAL_ITERATIONS);
  return iterations * LR_SECONDS_PER_ROW_WIDTH2 * rows * (features + 1) ** 2;
}
