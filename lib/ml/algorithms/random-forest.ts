import { RandomForestClassifier as LibraryForest } from "ml-random-forest";
import { z } from "zod";
import { InvalidModelStateError, NotFittedError } from "../errors";
import { createRng, nextSeed, sampleIndices, type Rng } from "../random";
import { checkRows, checkTrainingData, yieldToEventLoop } from "./data-checks";
import { defineAlgorithm, type HyperparameterSpecs, type HyperparameterValues } from "./define";
import type { Estimator, FitOptions } from "./types";

/**
 * Random forest whose trees are grown by ml-random-forest (CART from ml-cart),
 * one library call per tree.
 *
 * Why not one library call for the whole forest: the library bootstraps as many
 * rows as it is given, and its tree learner costs O(rows^2) per node, so a forest
 * on 60,000 rows would take hours. Its own `maxSamples` option keeps the *first*
 * rows of the file rather than a random draw. So each tree gets its own seeded
 * bootstrap of `max_samples` rows and its own column subset, drawn here, and the
 * library grows one tree on them (noOOB: its out-of-bag step can crash with few
 * trees). One tree per call also gives real progress and lets the event loop run
 * between trees.
 *
 * The trained trees are copied into flat arrays (`FlatTree`): predictions then
 * need no library internals, the saved state is small plain JSON, and a forest
 * rebuilt from it predicts bit-for-bit what the original did.
 *
 * P(y = 1) is the mean over trees of the share of class-1 training rows in the
 * leaf a row lands in (scikit-learn's predict_proba), which is smoother than the
 * share of trees voting 1 and so better for log loss and for stacking.
 */

const hyperparameters = {
  n_estimators: { type: "integer", min: 1, max: 300, default: 40, help: "Number of trees. Training time grows with it." },
  max_depth: { type: "integer", min: 1, max: 30, default: 8, help: "How deep each tree may grow." },
  /**
   * Rows drawn (with replacement) for each tree. The tree learner's cost grows
   * with the square of its rows, so this, not the CSV size, bounds training time.
   */
  max_samples: { type: "integer", min: 50, max: 20_000, default: 1500, help: "Rows drawn for each tree; bounds training time more than the CSV size does." },
  max_features: { type: "number", gt: 0, max: 1, default: 0.8, help: "Share of the feature columns each tree may split on (0–1)." },
  /** A node with fewer rows than this becomes a leaf (the library's minNumSamples + 1). */
  min_samples_split: { type: "integer", min: 2, max: 1000, default: 10, help: "A node with fewer rows than this becomes a leaf." },
} satisfies HyperparameterSpecs;

type RandomForestHyperparameters = HyperparameterValues<typeof hyperparameters>;

/** One tree in pre-order; leaves have feature -1 and children -1. */
interface FlatTree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** P(y = 1) at a leaf; 0 at inner nodes. */
  value: Float64Array;
}

const flatTreeSchema = z.object({
  feature: z.array(z.number().int().min(-1)),
  threshold: z.array(z.number()),
  left: z.array(z.number().int().min(-1)),
  right: z.array(z.number().int().min(-1)),
  value: z.array(z.number().min(0).max(1)),
});

const randomForestStateSchema = z.object({
  n_features: z.number().int().positive(),
  trees: z.array(flatTreeSchema).min(1),
});

export type RandomForestState = z.output<typeof randomForestStateSchema>;

/** Seconds per (sampled row)^2 x (feature used) for one tree of depth 8 on noisy data (scripts/bench-ml.ts). */
const SECONDS_PER_ROW2_FEATURE = 4.2e-8;
/** Seconds per row x feature per tree for sampling and copying the bootstrap. */
const SECONDS_PER_ROW_FEATURE = 2e-8;

export const randomForest = defineAlgorithm({
  name: "random_forest",
  label: "Random forest",
 
  description: "Seeded bootstrap trees (CART); captures interactions a linear model misses.",
  hyperparameters,
  stateSchema: randomForestStateSchema,
  create: (hp, seed) => new RandomForest(hp, seed),
  restore: (hp, seed, state) => RandomForest.fromState(hp, seed, state),
  estimateSeconds(hp, rows, features) {
    const sampled = Math.min(hp.max_samples, rows);
    const used = Math.max(1, Math.floor(hp.max_features * features));
    // A node costs O(rows^2) in the library's CART, and each level of a tree
    // holds at most all the rows, so shallow trees save up to about half.
    const depthFactor = (2 - 2 ** (1 - hp.max_depth)) / (2 - 2 ** -7);
    const perTree = SECONDS_PER_ROW2_FEATURE * sampled * sampled * used * depthFactor + SECONDS_PER_ROW_FEATURE * sampled * used;
    return hp.n_estimators * perTree;
  },
});

/** The parts of an ml-cart tree node we read; checked at runtime in `flattenTree`. */
interface CartNode {
  left?: CartNode;
  right?: CartNode;
  splitColumn?: number;
  splitValue?: number;
  distribution?: { columns: number; get(row: number, column: number): number };
}

interface GrownForest {
  estimators: Array<{ root: CartNode }>;
  indexes: number[][];
}

class RandomForest implements Estimator<RandomForestState> {
  private trees: FlatTree[] | null = null;
  private featureCount = 0;

  constructor(
    private readonly hyperparameters: RandomForestHyperparameters,
    private readonly seed: number,
  ) {}

  async fit(X: number[][], y: number[], options: FitOptions = {}): Promise<void> {
    const width = checkTrainingData(X, y);
    const hp = this.hyperparameters;
    const rng = createRng(this.seed);
    const rowsPerTree = Math.min(hp.max_samples, X.length);
    const columnsPerTree = Math.max(1, Math.floor(hp.max_features * width));
    const trees: FlatTree[] = [];
    for (let t = 0; t < hp.n_estimators; t++) {
      trees.push(this.growTree(X, y, rowsPerTree, columnsPerTree, rng));
      await options.onProgress?.((t + 1) / hp.n_estimators);
      await yieldToEventLoop();
    }
    this.trees = trees;
    this.featureCount = width;
  }

  predictProba(X: number[][]): number[] {
    if (!this.trees) throw new NotFittedError("random forest");
    checkRows(X, this.featureCount);
    const trees = this.trees;
    const out = new Array<number>(X.length);
    for (let i = 0; i < X.length; i++) {
      const row = X[i];
      let sum = 0;
      for (const tree of trees) {
        let node = 0;
        while (tree.feature[node] >= 0) {
          node = row[tree.feature[node]] < tree.threshold[node] ? tree.left[node] : tree.right[node];
        }
        sum += tree.value[node];
      }
      out[i] = sum / trees.length;
    }
    return out;
  }

  state(): RandomForestState {
    if (!this.trees) throw new NotFittedError("random forest");
    return {
      n_features: this.featureCount,
      trees: this.trees.map((tree) => ({
        feature: Array.from(tree.feature),
        threshold: Array.from(tree.threshold),
        left: Array.from(tree.left),
        right: Array.from(tree.right),
        value: Array.from(tree.value),
      })),
    };
  }

  static fromState(hyperparameters: RandomForestHyperparameters, seed: number, state: RandomForestState): RandomForest {
    const forest = new RandomForest(hyperparameters, seed);
    forest.featureCount = state.n_features;
    forest.trees = state.trees.map((tree, t) => toFlatTree(tree, t, state.n_features));
    return forest;
  }

  private growTree(X: number[][], y: number[], rowCount: number, columnCount: number, rng: Rng): FlatTree {
    const hp = this.hyperparameters;
    const rows = sampleIndices(X.length, rowCount, rng, true);
    const columns = sampleIndices(X[0].length, columnCount, rng, false).sort((a, b) => a - b);
    const sampleX = rows.map((r) => columns.map((c) => X[r][c]));
    const sampleY = rows.map((r) => y[r]);
    const library = new LibraryForest({
      nEstimators: 1,
      // We already picked the columns; 1.0 (a fraction) means "use them all".
      maxFeatures: 1.0,
      replacement: false,
      useSampleBagging: false,
      noOOB: true,
      seed: nextSeed(rng),
      treeOptions: {
        maxDepth: hp.max_depth,
        minNumSamples: hp.min_samples_split - 1,
        // Like scikit-learn, let depth and node size alone stop growth. (The
        // library's 0.01 default changed little in tests, but is a hidden knob.)
        gainThreshold: 0,
      },
    });
    library.train(sampleX, sampleY);
    const grown = library as unknown as GrownForest;
    // The library may reorder the columns it was given; indexes[0] maps back.
    const libraryColumns = grown.indexes[0];
    return flattenTree(grown.estimators[0].root, (local) => columns[libraryColumns[local]]);
  }
}

function flattenTree(root: CartNode, originalColumn: (local: number) => number): FlatTree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const visit = (node: CartNode): number => {
    const id = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    value.push(0);
    if (node.left && node.right) {
      const column = node.splitColumn === undefined ? undefined : originalColumn(node.splitColumn);
      if (column === undefined || !Number.isInteger(column) || !Number.isFinite(node.splitValue)) {
        throw new Error("ml-random-forest returned a split without a column or value; the library version may have changed.");
      }
      feature[id] = column;
      threshold[id] = node.splitValue as number;
      left[id] = visit(node.left);
      right[id] = visit(node.right);
    } else {
      const dist = node.distribution;
      if (!dist) throw new Error("ml-random-forest returned a leaf without a class distribution; the library version may have changed.");
      // The distribution has one entry per class up to the largest label seen in
      // the leaf, so a leaf of only 0s has a single column. It is a sum of 1/n
      // terms, so a pure leaf can come out a rounding error above 1.
      const share = dist.columns > 1 ? dist.get(0, 1) : 0;
      value[id] = Math.min(1, Math.max(0, share));
    }
    return id;
  };
  visit(root);
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
  };
}

/** Checks what the schema cannot: equal lengths and child links that stay in range and point forward (no cycles). */
function toFlatTree(tree: z.output<typeof flatTreeSchema>, index: number, featureCount: number): FlatTree {
  const size = tree.feature.length;
  const bad = (why: string) => new InvalidModelStateError(`Random forest state is malformed: tree ${index} ${why}.`);
  if (size === 0) throw bad("has no nodes");
  for (const key of ["threshold", "left", "right", "value"] as const) {
    if (tree[key].length !== size) throw bad(`has ${tree[key].length} ${key} entries for ${size} nodes`);
  }
  for (let i = 0; i < size; i++) {
    if (tree.feature[i] < 0) continue;
    if (tree.feature[i] >= featureCount) throw bad(`splits on feature ${tree.feature[i]} of ${featureCount}`);
    for (const child of [tree.left[i], tree.right[i]]) {
      if (child <= i || child >= size) throw bad(`node ${i} links to node ${child}`);
    }
  }
  return {
    feature: Int32Array.from(tree.feature),
    threshold: Float64Array.from(tree.threshold),
    left: Int32Array.from(tree.left),
    right: Int32Array.from(tree.right),
    value: Float64Array.from(tree.value),
  };
}
