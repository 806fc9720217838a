import { describe, expect, it } from "vitest";
import { InvalidModelStateError } from "../errors";
import { syntheticBinary } from "../synthetic";
import { forestFromState, forestToState, leafIndex, predictForest, walkDepth, type FlatTree, type ForestState } from "./flat-tree";
import { fitForest } from "./forest";

/** x0 < 0.5 ? 0.2 : (x1 < 1 ? 0.6 : 1) */
const small: FlatTree = {
  feature: Int32Array.from([0, -1, 1, -1, -1]),
  threshold: Float64Array.from([0.5, 0, 1, 0, 0]),
  left: Int32Array.from([1, -1, 3, -1, -1]),
  right: Int32Array.from([2, -1, 4, -1, -1]),
  value: Float64Array.from([0, 0.2, 0, 0.6, 1]),
};
/** A single leaf. */
const stump: FlatTree = {
  feature: Int32Array.from([-1]),
  threshold: Float64Array.from([0]),
  left: Int32Array.from([-1]),
  right: Int32Array.from([-1]),
  value: Float64Array.from([0.3]),
};

/** A lopsided tree: at each of `levels` levels a leaf goes left and the rest goes on right (pre-order). */
function chain(levels: number, features: number): FlatTree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  for (let level = 0; level < levels; level++) {
    const node = feature.length;
    feature.push(level % features, -1);
    threshold.push((level % 3) - 1, 0);
    left.push(node + 1, -1);
    right.push(node + 2, -1);
    value.push(0, level / levels);
  }
  feature.push(-1);
  threshold.push(0);
  left.push(-1);
  right.push(-1);
  value.push(1);
  return { feature: Int32Array.from(feature), threshold: Float64Array.from(threshold), left: Int32Array.from(left), right: Int32Array.from(right), value: Float64Array.from(value) };
}

describe("predictForest", () => {
  it("sends a row left exactly when its value is below the threshold", () => {
    expect(leafIndex(small, [0.4999, 5])).toBe(1);
    expect(leafIndex(small, [0.5, 0.999])).toBe(3);
    expect(leafIndex(small, [0.5, 1])).toBe(4);
  });

  it("averages the leaf values over trees", () => {
    const p = predictForest([small, stump], [
      [0, 0],
      [1, 0],
      [1, 2],
    ]);
    expect(p).toEqual([(0.2 + 0.3) / 2, (0.6 + 0.3) / 2, (1 + 0.3) / 2]);
  });

  it("lands every row in the leaf the pre-order walk finds, on thresholds and with NaN too, to the bit", async () => {
    const train = syntheticBinary(600, 4, 5, 3);
    const forest = await fitForest(train.X, train.y, { nEstimators: 12, maxDepth: 8, maxFeatures: 1, minSamplesSplit: 2, engine: "fast" }, 9);
    const rows = syntheticBinary(300, 4, 6, 3).X;
    // Values exactly on split thresholds (where < and >= part), and missing ones.
    for (const tree of forest.trees.slice(0, 4)) {
      for (let node = 0; node < tree.feature.length; node++) {
        if (tree.feature[node] < 0) continue;
        const row = [...rows[node % rows.length]];
        row[tree.feature[node]] = tree.threshold[node];
        rows.push(row);
      }
    }
    rows.push([Number.NaN, 0, 0, 0], [0, Number.NaN, Number.NaN, 0]);
    // A lone leaf and a lopsided tree among them: the depth-limited trees are walked a fixed number of steps eight
    // rows at a time, the lopsided one four at a time until all four arrive.
    const lopsided = chain(10, 4);
    const trees = [...forest.trees, { ...stump, value: Float64Array.from([0.25]) }, lopsided];
    const expected = (of: number[][]) =>
      of.map((row) => {
        let sum = 0;
        for (const tree of trees) sum += tree.value[leafIndex(tree, row)];
        return sum / trees.length;
      });
    const p = predictForest(trees, rows);
    const want = expected(rows);
    expect(p.every((v, i) => Object.is(v, want[i]))).toBe(true);
    // And again, from the layout kept since the first call; and batches that leave one to seven rows over.
    expect(predictForest(trees, rows)).toEqual(p);
    for (const k of [1, 2, 3, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15]) {
      for (const some of [rows.slice(0, k), rows.slice(-k)]) {
        const got = predictForest(trees, some);
        expect(got.every((v, i) => Object.is(v, expected(some)[i]))).toBe(true);
      }
    }
  });

  it("walks a fixed number of steps only when the leaves are nearly all at the deepest level", () => {
    expect(walkDepth([6, 6, 6, 6, 5, 6])).toBe(6);
    expect(walkDepth([0])).toBe(0);
    // chain(10, _)'s leaves: depths 1 to 10, and 10 again.
    expect(walkDepth([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10])).toBeNull();
  });

  it("refuses a forest of no trees", () => {
    expect(() => predictForest([], [[1, 2]])).toThrow(RangeError);
  });
});

describe("forest state", () => {
  it("is plain JSON in the first forest's layout", () => {
    const state = forestToState({ trees: [small], nFeatures: 2 });
    expect(state).toEqual({
      n_features: 2,
      trees: [{ feature: [0, -1, 1, -1, -1], threshold: [0.5, 0, 1, 0, 0], left: [1, -1, 3, -1, -1], right: [2, -1, 4, -1, -1], value: [0, 0.2, 0, 0.6, 1] }],
    });
    expect(Object.keys(state.trees[0])).toEqual(["feature", "threshold", "left", "right", "value"]);
  });

  it("predicts bit-for-bit the same after a JSON round trip", async () => {
    const train = syntheticBinary(800, 5, 1, 3);
    const test = syntheticBinary(500, 5, 2, 3);
    const forest = await fitForest(train.X, train.y, { nEstimators: 6, maxDepth: 7, maxFeatures: 0.8, minSamplesSplit: 4, engine: "fast" }, 3);
    const text = JSON.stringify(forestToState(forest));
    const restored = forestFromState(JSON.parse(text));
    expect(restored.nFeatures).toBe(5);
    const before = predictForest(forest.trees, test.X);
    const after = predictForest(restored.trees, test.X);
    // Thresholds are midpoints with full double precision; any rounding on the way would show here.
    expect(new Set(before).size).toBeGreaterThan(100);
    expect(after.every((v, i) => Object.is(v, before[i]))).toBe(true);
    expect(JSON.stringify(forestToState(restored))).toBe(text);
  });

  const valid = (): ForestState => forestToState({ trees: [small, stump], nFeatures: 2 });
  const broken: Array<[string, (s: ForestState) => unknown, RegExp]> = [
    ["not an object", () => "forest", /at "state"/],
    ["no trees", (s) => ({ ...s, trees: [] }), /at "trees"/],
    ["no n_features", (s) => ({ trees: s.trees }), /at "n_features"/],
    ["n_features 0", (s) => ({ ...s, n_features: 0 }), /at "n_features"/],
    ["a value above 1", (s) => {
      s.trees[0].value[1] = 1.5;
      return s;
    }, /at "trees.0.value.1"/],
    ["a fractional feature", (s) => {
      s.trees[0].feature[0] = 0.5;
      return s;
    }, /at "trees.0.feature.0"/],
    ["a string threshold", (s) => {
      (s.trees[0].threshold as unknown[])[0] = "0.5";
      return s;
    }, /at "trees.0.threshold.0"/],
    ["a tree with no nodes", (s) => {
      s.trees[1] = { feature: [], threshold: [], left: [], right: [], value: [] };
      return s;
    }, /tree 1 has no nodes/],
    ["arrays of different lengths", (s) => {
      s.trees[0].value.pop();
      return s;
    }, /tree 0 has 4 value entries for 5 nodes/],
    ["a feature out of range", (s) => {
      s.trees[0].feature[2] = 2;
      return s;
    }, /tree 0 splits on feature 2 of 2/],
    ["a link back to the root (a cycle)", (s) => {
      s.trees[0].right[2] = 0;
      return s;
    }, /tree 0 node 2 links to node 0/],
    ["a link past the last node", (s) => {
      s.trees[0].left[0] = 5;
      return s;
    }, /tree 0 node 0 links to node 5/],
    ["a split without children", (s) => {
      s.trees[0].left[0] = -1;
      return s;
    }, /tree 0 node 0 links to node -1/],
  ];
  it.each(broken)("refuses a state with %s", (_, breakIt, message) => {
    const state = breakIt(valid());
    expect(() => forestFromState(state)).toThrow(InvalidModelStateError);
    expect(() => forestFromState(state)).toThrow(message);
  });

  it("accepts the untouched state those were made from", () => {
    expect(forestFromState(valid()).trees).toHaveLength(2);
  });
});
