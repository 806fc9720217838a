import { RandomForestClassifier as LibraryForest } from "ml-random-forest";
import type { FlatTree } from "./flat-tree";
import type { TreeOptions } from "./fast-tree";

/**
 * One tree grown by ml-random-forest (CART from ml-cart) on rows and columns
 * drawn by the caller, copied into a FlatTree. This is the first forest's tree
 * learner, kept as the "ml-random-forest" engine and as the oracle the fast
 * learner is tested against. Its cost is O(rows^2) per node, so it is for
 * samples of a few thousand rows at most.
 */

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

/**
 * @param rows bootstrap draws in draw order (repeats allowed)
 * @param columns the tree's columns, ascending
 * @param librarySeed the seed the library shuffles the columns with
 */
export function growLibraryTree(
  X: readonly (readonly number[])[],
  y: readonly number[],
  rows: readonly number[],
  columns: readonly number[],
  librarySeed: number,
  options: TreeOptions,
): FlatTree {
  const sampleX = rows.map((r) => columns.map((c) => X[r][c]));
  const sampleY = rows.map((r) => y[r]);
  const library = new LibraryForest({
    nEstimators: 1,
    // The columns are already picked; 1.0 (a fraction) means "use them all".
    maxFeatures: 1.0,
    replacement: false,
    useSampleBagging: false,
    // Its out-of-bag step can crash with few trees, and the rows are ours anyway.
    noOOB: true,
    seed: librarySeed,
    treeOptions: {
      maxDepth: options.maxDepth,
      minNumSamples: options.minNumSamples,
      gainThreshold: options.gainThreshold,
    },
  });
  library.train(sampleX, sampleY);
  const grown = library as unknown as GrownForest;
  // The library shuffles the columns it was given; indexes[0] maps back.
  const libraryColumns = grown.indexes[0];
  return flattenTree(grown.estimators[0].root, (local) => columns[libraryColumns[local]]);
}

/** The library's column shuffle for one tree, for checking its re-implementation. */
export function libraryTreeColumns(columnCount: number, librarySeed: number): number[] {
  const library = new LibraryForest({
    nEstimators: 1,
    maxFeatures: 1.0,
    replacement: false,
    useSampleBagging: false,
    noOOB: true,
    seed: librarySeed,
    treeOptions: { maxDepth: 1, minNumSamples: 1, gainThreshold: 0 },
  });
  const row = Array.from({ length: columnCount }, (_, c) => c);
  library.train([row, row.map((v) => v + 1)], [0, 1]);
  return [...(library as unknown as GrownForest).indexes[0]];
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
