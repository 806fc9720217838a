import libraryPackage from "ml-random-forest/package.json";
import { APP_NAME, APP_VERSION } from "@/lib/version";
import { NotFittedError } from "../errors";
import { estimateForestSeconds } from "../trees/estimate";
import { forestFromParsedState, forestStateSchema, forestToState, predictForest, type Forest, type ForestState } from "../trees/flat-tree";
import { fitForest, type ForestOptions } from "../trees/forest";
import { checkRows } from "./data-checks";
import { defineAlgorithm, hyperparametersSchema, type HyperparameterSpecs, type HyperparameterValues } from "./define";
import type { Estimator, FitOptions } from "./types";

/**
 * Random forest of seeded bootstrap CART trees, grown by lib/ml/trees.
 *
 * Each tree gets its own seeded bootstrap of `max_samples` rows (0: as many as
 * the training set has) and its own subset of the columns; with
 * `split_features` below 1, each split also tries only a fresh random share of
 * the tree's columns, as scikit-learn's max_features does.
 *
 * Two engines grow the trees. "fast" (the default) is our exact presorted CART
 * (lib/ml/trees/fast-tree.ts), hand-written because no maintained JavaScript
 * package does presorted CART on typed arrays; at split_features 1 it grows
 * the same trees, bit for bit, as "ml-random-forest", the library the first
 * forests were grown with, whose O(rows^2) nodes make it a slow oracle: kept
 * for checks and for regrowing old models exactly, not for everyday use.
 *
 * Trees are stored flat (lib/ml/trees/flat-tree.ts): the saved state is small
 * plain JSON in the first forests' format, so forests saved before still load
 * and predict bit for bit. P(y = 1) is the mean over trees of the class-1
 * share in the leaf a row lands in (scikit-learn's predict_proba).
 *
 * Defaults (100 trees of depth 8 on full bootstraps, every column for every
 * tree and split) are what bench/forest.md chose on NBA features: a better log
 * loss than scikit-learn's default max_features="sqrt" within three times its
 * time, and the same as scikit-learn trying every column.
 */

const hyperparameters = {
  n_estimators: { type: "integer", min: 1, max: 300, default: 100, legacy: 40, help: "Number of trees. Training time grows with it." },
  max_depth: { type: "integer", min: 1, max: 30, default: 8, help: "How deep each tree may grow." },
  /** A count, as in configs saved before 0 meant all rows. */
  max_samples: {
    type: "integer",
    min: 0,
    max: 1_000_000,
    default: 0,
    legacy: 1500,
    help: "Rows drawn (with replacement) for each tree; 0 = as many as the training set has (a full bootstrap).",
  },
  max_features: { type: "number", gt: 0, max: 1, default: 1, legacy: 0.8, help: "Share of the feature columns each tree may use, drawn once per tree (0–1)." },
  split_features: {
    type: "number",
    gt: 0,
    max: 1,
    default: 1,
    legacy: 1,
    help: "Share of a tree's columns each split tries, drawn afresh at every split (0–1; 1 = all). Helps deep trees; the fast engine only.",
  },
  /** A node with fewer rows than this becomes a leaf (the library's minNumSamples + 1). */
  min_samples_split: { type: "integer", min: 2, max: 1000, default: 10, help: "A node with fewer rows than this becomes a leaf." },
  engine: {
    type: "choice",
    options: ["fast", "ml-random-forest"] as const,
    default: "fast",
    legacy: "ml-random-forest",
    help: "fast: exact presorted CART. ml-random-forest: the library's CART, the same trees at split_features 1 but far slower (minutes at 1,500 rows per tree).",
  },
} satisfies HyperparameterSpecs;

type RandomForestHyperparameters = HyperparameterValues<typeof hyperparameters>;

/** The forest driver's options for these hyperparameters. */
export function toForestOptions(hp: RandomForestHyperparameters): ForestOptions {
  return {
    nEstimators: hp.n_estimators,
    maxDepth: hp.max_depth,
    maxSamples: hp.max_samples === 0 ? undefined : hp.max_samples,
    maxFeatures: hp.max_features,
    splitFeatures: hp.split_features,
    minSamplesSplit: hp.min_samples_split,
    engine: hp.engine,
  };
}

/** The forest driver's options at the defaults, for benchmarks that measure what the product trains. */
export function defaultForestOptions(): ForestOptions {
  // The schema is built from the same specs, so its output has exactly their types.
  return toForestOptions(hyperparametersSchema(hyperparameters).parse({}) as RandomForestHyperparameters);
}

export const randomForest = defineAlgorithm({
  name: "random_forest",
  label: "Random forest",
  description: "Seeded bootstrap trees (CART); captures interactions a linear model misses.",
  hyperparameters,
  checkCombination: (hp) =>
    hp.engine === "ml-random-forest" && hp.split_features !== 1
      ? { split_features: "split_features must be 1 with the ml-random-forest engine, which tries every column of a tree at each split." }
      : undefined,
  stateSchema: forestStateSchema,
  create: (hp, seed) => new RandomForest(hp, seed),
  restore: (hp, seed, state) => RandomForest.fromState(hp, seed, state),
  estimateSeconds: (hp, rows, features) => estimateForestSeconds({ rows, features, ...toForestOptions(hp) }),
  // Recorded with each version: which code grew its trees.
  learner: (hp) => (hp.engine === "ml-random-forest" ? `ml-random-forest ${libraryPackage.version}` : `${APP_NAME} ${APP_VERSION} presorted CART`),
});

class RandomForest implements Estimator<ForestState> {
  private forest: Forest | null = null;

  constructor(
    private readonly hyperparameters: RandomForestHyperparameters,
    private readonly seed: number,
  ) {}

  async fit(X: number[][], y: number[], options: FitOptions = {}): Promise<void> {
    this.forest = await fitForest(X, y, toForestOptions(this.hyperparameters), this.seed, options.onProgress);
  }

  predictProba(X: number[][]): number[] {
    if (!this.forest) throw new NotFittedError("random forest");
    checkRows(X, this.forest.nFeatures);
    return predictForest(this.forest.trees, X);
  }

  state(): ForestState {
    if (!this.forest) throw new NotFittedError("random forest");
    return forestToState(this.forest);
  }

  static fromState(hyperparameters: RandomForestHyperparameters, seed: number, state: ForestState): RandomForest {
    const model = new RandomForest(hyperparameters, seed);
    // classifierFromJSON has parsed the state with stateSchema already.
    model.forest = forestFromParsedState(state);
    return model;
  }
}
