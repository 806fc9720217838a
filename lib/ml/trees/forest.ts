import { checkTrainingData, yieldToEventLoop } from "../algorithms/data-checks";
import { createRng, nextSeed, sampleIndices, type Rng } from "../random";
import { libraryColumnOrder } from "./column-order";
import { growFastTree, PresortedData, TreeWorkspace, type TreeOptions } from "./fast-tree";
import type { FlatTree, Forest } from "./flat-tree";
import { growLibraryTree } from "./library-tree";

/**
 * Forest driver: per tree, a seeded bootstrap of `maxSamples` rows and a seeded
 * subset of the columns, then one tree grown on them by either engine.
 *
 * Rows and columns are drawn exactly as the first forest (random-forest.ts)
 * drew them, with the same RNG calls in the same order, so for a seed the
 * "ml-random-forest" engine gives that forest's trees bit for bit and the
 * "fast" engine sees the same rows and columns and, since it reproduces
 * ml-cart's choices, grows the same trees far faster.
 *
 * The fast engine can also sample columns per split (`splitFeatures` < 1), as
 * scikit-learn's max_features does, from each tree's columns with a generator
 * seeded by the tree's own seed: no extra draws from the forest's generator, so
 * every tree still sees the same rows and columns as without it.
 */

export type ForestEngine = "fast" | "ml-random-forest";

export interface ForestOptions {
  nEstimators: number;
  maxDepth: number;
  /** Bootstrap draws per tree (with replacement); default and cap: all rows. */
  maxSamples?: number;
  /** Share of the columns each tree may split on: floor(maxFeatures x width), at least 1. */
  maxFeatures: number;
  /**
   * Share of the tree's columns each split tries: floor(splitFeatures x tree's
   * columns), at least 1. Default 1: every split tries all of them, which the
   * ml-random-forest engine requires.
   */
  splitFeatures?: number;
  /** A node with fewer rows (counting repeats) than this is a leaf. */
  minSamplesSplit: number;
  engine: ForestEngine;
}

export type ProgressCallback = (fraction: number) => void | Promise<void>;

/** One tree's draw: bootstrap rows in draw order, its columns ascending, and the seed the library shuffles them with. */
export interface TreeDraw {
  rows: number[];
  columns: number[];
  librarySeed: number;
}

/** The three RNG uses per tree, in the first forest's order: rows, columns, library seed. */
export function drawTree(rng: Rng, rowCount: number, rowsPerTree: number, width: number, columnsPerTree: number): TreeDraw {
  const rows = sampleIndices(rowCount, rowsPerTree, rng, true);
  const columns = sampleIndices(width, columnsPerTree, rng, false).sort((a, b) => a - b);
  return { rows, columns, librarySeed: nextSeed(rng) };
}

export interface ForestShape {
  rowsPerTree: number;
  columnsPerTree: number;
  /** Equal to columnsPerTree when splits do not sample. */
  columnsPerSplit: number;
  tree: TreeOptions;
}

/** Validates the options and derives the per-tree sizes, as the first forest did. */
export function forestShape(rowCount: number, width: number, opts: ForestOptions): ForestShape {
  const wholeAtLeast = (name: string, value: number, min: number) => {
    if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be a whole number >= ${min}, got ${value}.`);
  };
  wholeAtLeast("nEstimators", opts.nEstimators, 1);
  wholeAtLeast("maxDepth", opts.maxDepth, 1);
  wholeAtLeast("minSamplesSplit", opts.minSamplesSplit, 1);
  if (opts.maxSamples !== undefined) wholeAtLeast("maxSamples", opts.maxSamples, 1);
  const share = (name: string, value: number) => {
    if (!(value > 0 && value <= 1)) throw new RangeError(`${name} must be in (0, 1], got ${value}.`);
  };
  share("maxFeatures", opts.maxFeatures);
  const splitFeatures = opts.splitFeatures ?? 1;
  share("splitFeatures", splitFeatures);
  if (opts.engine !== "fast" && opts.engine !== "ml-random-forest") throw new RangeError(`Unknown forest engine "${String(opts.engine)}".`);
  if (opts.engine === "ml-random-forest" && splitFeatures !== 1) throw new RangeError("The ml-random-forest engine tries every column of a tree at each split; splitFeatures must be 1.");
  const columnsPerTree = Math.max(1, Math.floor(opts.maxFeatures * width));
  return {
    rowsPerTree: Math.min(opts.maxSamples ?? rowCount, rowCount),
    columnsPerTree,
    columnsPerSplit: Math.max(1, Math.floor(splitFeatures * columnsPerTree)),
    // ml-cart makes a leaf of a node with rows <= minNumSamples; gain threshold 0
    // lets depth and node size alone stop growth, as in scikit-learn.
    tree: { maxDepth: opts.maxDepth, minNumSamples: opts.minSamplesSplit - 1, gainThreshold: 0 },
  };
}

/**
 * Fits a forest. Yields to the event loop and reports progress after every
 * tree, so a worker's heartbeat keeps going during long fits.
 */
export async function fitForest(X: number[][], y: number[], opts: ForestOptions, seed: number, onProgress?: ProgressCallback): Promise<Forest> {
  const width = checkTrainingData(X, y);
  const shape = forestShape(X.length, width, opts);
  const rng = createRng(seed);
  const presorted = opts.engine === "fast" ? new PresortedData(X, y) : null;
  const workspace = new TreeWorkspace();
  const samples = shape.columnsPerSplit < shape.columnsPerTree;
  const trees: FlatTree[] = [];
  for (let t = 0; t < opts.nEstimators; t++) {
    const draw = drawTree(rng, X.length, shape.rowsPerTree, width, shape.columnsPerTree);
    if (presorted) {
      const scanOrder = libraryColumnOrder(draw.columns.length, draw.librarySeed).map((i) => draw.columns[i]);
      const sampling = samples ? { columnsPerSplit: shape.columnsPerSplit, rng: createRng(draw.librarySeed) } : undefined;
      trees.push(growFastTree(presorted, draw.rows, scanOrder, { ...shape.tree, sampling }, workspace));
    } else {
      trees.push(growLibraryTree(X, y, draw.rows, draw.columns, draw.librarySeed, shape.tree));
    }
    await onProgress?.((t + 1) / opts.nEstimators);
    await yieldToEventLoop();
  }
  return { trees, nFeatures: width };
}
