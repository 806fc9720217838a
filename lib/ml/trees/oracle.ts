import { createRng } from "../random";
import { drawTree, fitForest, forestShape, type ForestOptions } from "./forest";
import { diffTrees, type TreeDiff } from "./tree-diff";

/**
 * Grows a forest with both engines from one seed and compares them tree by
 * tree on the bootstrap draws each tree saw. For tests and benchmarks: the
 * library engine costs O(rows^2) per node.
 */
export async function compareEngines(X: number[][], y: number[], opts: Omit<ForestOptions, "engine">, seed: number): Promise<TreeDiff> {
  const fast = await fitForest(X, y, { ...opts, engine: "fast" }, seed);
  const library = await fitForest(X, y, { ...opts, engine: "ml-random-forest" }, seed);
  const shape = forestShape(X.length, X[0].length, { ...opts, engine: "fast" });
  const rng = createRng(seed);
  const total: TreeDiff = { splitsCompared: 0, leavesCompared: 0, tieDifferences: 0, mismatches: [] };
  for (let t = 0; t < opts.nEstimators; t++) {
    const draw = drawTree(rng, X.length, shape.rowsPerTree, X[0].length, shape.columnsPerTree);
    const d = diffTrees(library.trees[t], fast.trees[t], X, y, draw.rows);
    total.splitsCompared += d.splitsCompared;
    total.leavesCompared += d.leavesCompared;
    total.tieDifferences += d.tieDifferences;
    total.mismatches.push(...d.mismatches.map((m) => `tree ${t} ${m}`));
  }
  return total;
}
