import { describe, expect, it } from "vitest";
import { createRng } from "../random";
import { forestToState, treeToState, type FlatTree } from "./flat-tree";
import { cartGain, cartLeafValue, growFastTree, PresortedData, TreeWorkspace, type TreeOptions } from "./fast-tree";
import { libraryColumnOrder } from "./column-order";
import { growLibraryTree } from "./library-tree";
import { compareEngines } from "./oracle";

const opts = (o: Partial<TreeOptions> = {}): TreeOptions => ({ maxDepth: 8, minNumSamples: 1, gainThreshold: 0, ...o });

/** Both learners on the same draws and column order (single column: no shuffle to match). */
function bothOneColumn(x: number[], y: number[], o: TreeOptions = opts()): { fast: FlatTree; library: FlatTree } {
  const X = x.map((v) => [v]);
  const rows = x.map((_, i) => i);
  return {
    fast: growFastTree(new PresortedData(X, y), rows, [0], o),
    library: growLibraryTree(X, y, rows, [0], 1, o),
  };
}

describe("growFastTree reproduces ml-cart's rules", () => {
  it("splits halfway between neighbours whose labels differ", () => {
    const { fast, library } = bothOneColumn([4, 1, 3, 2], [1, 0, 1, 0]);
    expect(treeToState(fast)).toEqual(treeToState(library));
    expect(fast.feature[0]).toBe(0);
    expect(fast.threshold[0]).toBe(2.5);
  });

  it("only sees a cut between runs of equal values when the labels at the runs' ends differ in draw order", () => {
    // Sorted stably, [1,1,2,2] with labels [0,1,1,1] has no label change between the runs,
    // so x < 2 is never tried; the change inside the first run offers x < 1 (gain 0): a leaf.
    const leaf = bothOneColumn([1, 1, 2, 2], [0, 1, 1, 1]);
    expect(treeToState(leaf.fast)).toEqual(treeToState(leaf.library));
    expect(leaf.fast.feature[0]).toBe(-1);
    // The same rows drawn in another order put a 0 next to the second run: now x < 1.5 is tried and taken.
    const split = bothOneColumn([1, 1, 2, 2], [1, 0, 1, 1]);
    expect(treeToState(split.fast)).toEqual(treeToState(split.library));
    expect(split.fast.threshold[0]).toBe(1.5);
  });

  it("uses the value itself when the only label change is inside a run", () => {
    // Runs [0,0] and, in draw order, [0,1,0]: equal labels at the boundary, a change inside the run of 1s.
    const { fast, library } = bothOneColumn([0, 0, 1, 1, 1], [0, 0, 0, 1, 0]);
    expect(treeToState(fast)).toEqual(treeToState(library));
    expect(fast.threshold[0]).toBe(1);
  });

  it("keeps ml-cart's summed class share as the leaf value", () => {
    // Three 1s in ten rows: 0.1 + 0.1 + 0.1 = 0.30000000000000004, not 0.3.
    const x = Array.from({ length: 10 }, (_, i) => i);
    const y = [1, 0, 0, 1, 0, 0, 1, 0, 0, 0];
    const { fast, library } = bothOneColumn(x, y, opts({ minNumSamples: 10 }));
    expect(fast.value[0]).toBe(0.1 + 0.1 + 0.1);
    expect(fast.value[0]).not.toBe(0.3);
    expect(library.value[0]).toBe(fast.value[0]);
    expect(cartLeafValue(7, 3)).toBe(fast.value[0]);
  });

  it("counts repeated draws as rows for minNumSamples", () => {
    const X = [[0], [1], [2]];
    const y = [0, 1, 1];
    const data = new PresortedData(X, y);
    expect(growFastTree(data, [0, 1, 2], [0], opts({ minNumSamples: 3 })).feature[0]).toBe(-1);
    const repeated = [0, 1, 2, 0, 1, 2];
    const fast = growFastTree(data, repeated, [0], opts({ minNumSamples: 3 }));
    expect(fast.feature[0]).toBe(0);
    expect(treeToState(fast)).toEqual(treeToState(growLibraryTree(X, y, repeated, [0], 1, opts({ minNumSamples: 3 }))));
  });

  it("takes the first of equally good columns in scan order", () => {
    const X = [
      [0, 10],
      [1, 11],
      [2, 12],
      [3, 13],
    ];
    const y = [0, 0, 1, 1];
    const data = new PresortedData(X, y);
    expect(growFastTree(data, [0, 1, 2, 3], [0, 1], opts()).feature[0]).toBe(0);
    expect(growFastTree(data, [0, 1, 2, 3], [1, 0], opts()).feature[0]).toBe(1);
  });

  it("stops at maxDepth and at gainThreshold", () => {
    const x = Array.from({ length: 16 }, (_, i) => i);
    const y = x.map((v) => (v % 4 < 2 ? 0 : 1));
    const shallow = bothOneColumn(x, y, opts({ maxDepth: 1 }));
    expect(treeToState(shallow.fast)).toEqual(treeToState(shallow.library));
    expect(shallow.fast.feature.length).toBe(3);
    const picky = bothOneColumn(x, y, opts({ gainThreshold: 0.4 }));
    expect(treeToState(picky.fast)).toEqual(treeToState(picky.library));
    expect(picky.fast.feature.length).toBe(1);
  });

  it("makes a leaf of a node whose best gain equals its parent's, bit for bit", () => {
    // Root 4/4 cut into 3+1 | 1+3 gains 0.125; each child's best cut (found by search) also gains exactly 0.125.
    const X = [[3, 1], [1, 0], [1, 2], [1, 1], [2, 1], [2, 0], [3, 0], [1, 0]];
    const y = [0, 1, 0, 0, 1, 0, 1, 1];
    const rows = X.map((_, i) => i);
    const fast = growFastTree(new PresortedData(X, y), rows, libraryColumnOrder(2, 1), opts());
    expect(treeToState(fast)).toEqual(treeToState(growLibraryTree(X, y, rows, [0, 1], 1, opts())));
    expect(Array.from(fast.feature)).toEqual([1, -1, -1]);
  });

  it("computes ml-cart's gain bit for bit, rounding where its array code rounds", () => {
    // ml-cart's giniGain on label arrays, step for step (utils.js in ml-cart 2.1).
    const impurity = (labels: number[]): number => {
      if (labels.length === 0) return 0;
      const classes = Math.max(...labels) + 1;
      const counts = new Array<number>(classes).fill(0);
      for (const label of labels) counts[label] += 1 / labels.length;
      let sum = 0.0;
      for (const p of counts) sum += p * p;
      return 1 - sum;
    };
    const arrayGain = (all: number[], lesser: number[], greater: number[]): number => {
      let split = 0.0;
      for (const side of [greater, lesser]) split += (impurity(side) * side.length) / all.length;
      return impurity(all) - split;
    };
    const labels = (zeros: number, ones: number) => [...new Array<number>(zeros).fill(0), ...new Array<number>(ones).fill(1)];
    let roundedDifferently = 0;
    for (const [zeros, ones] of [[3, 4], [7, 3], [10, 19], [33, 41], [120, 7]]) {
      for (let lz = 0; lz <= zeros; lz += Math.max(1, Math.floor(zeros / 7))) {
        for (let lo = 0; lo <= ones; lo += Math.max(1, Math.floor(ones / 7))) {
          const expected = arrayGain(labels(zeros, ones), labels(lz, lo), labels(zeros - lz, ones - lo));
          expect(cartGain(zeros, ones, lz, lo), `${zeros}/${ones} -> ${lz}/${lo}`).toBe(expected);
          const n = zeros + ones;
          const once = 1 - (zeros / n) ** 2 - (ones / n) ** 2;
          if (expected !== once - ((lz + lo) / n) * (1 - ((lz / (lz + lo)) ** 2 + (lo / (lz + lo)) ** 2) || 0)) roundedDifferently++;
        }
      }
    }
    // The check has teeth: a textbook formula would not reproduce these bits.
    expect(roundedDifferently).toBeGreaterThan(10);
  });
});

/**
 * Small integer features make most nodes full of exact ties: equal values,
 * columns that cut the rows the same way (a copy and a negated copy of column
 * 0), and different cuts with the same real gain. Two columns hold adjacent
 * doubles (whose midpoint rounds onto one of them) and signed zeros.
 */
function tieHeavy(rows: number, seed: number): { X: number[][]; y: number[] } {
  const rng = createRng(seed);
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const a = Math.floor(rng() * 4);
    const b = Math.floor(rng() * 3);
    const c = Math.floor(rng() * 6);
    const tiny = 1 + Math.floor(rng() * 4) * 2 ** -52;
    const zero = [-0, 0, 1][Math.floor(rng() * 3)];
    X.push([a, b, a, -a, c, tiny, zero]);
    y.push(rng() < 0.2 + 0.15 * a + (b === 1 ? 0.2 : 0) ? 1 : 0);
  }
  return { X, y };
}

describe("growFastTree against ml-cart on tie-heavy data", () => {
  it("grows the same trees, node for node", async () => {
    let splits = 0;
    let ties = 0;
    const mismatches: string[] = [];
    for (let seed = 1; seed <= 24; seed++) {
      const { X, y } = tieHeavy(150 + 10 * seed, seed);
      const d = await compareEngines(X, y, { nEstimators: 2, maxDepth: 3 + (seed % 10), maxSamples: 120 + 10 * seed, maxFeatures: [0.5, 0.8, 1][seed % 3], minSamplesSplit: 2 + (seed % 3) }, seed);
      splits += d.splitsCompared;
      ties += d.tieDifferences;
      mismatches.push(...d.mismatches.map((m) => `seed ${seed} ${m}`));
    }
    console.log(`Tie-heavy oracle: ${splits} splits compared, ${ties} tie differences, ${mismatches.length} mismatches`);
    expect(mismatches).toEqual([]);
    // ml-cart's float gains are recomputed exactly for near-ties, so even exact ties should go the same way.
    expect(ties).toBe(0);
    expect(splits).toBeGreaterThan(500);
  });
});

describe("growFastTree with split sampling", () => {
  const data = tieHeavy(400, 7);
  const presorted = new PresortedData(data.X, data.y);
  const rows = Array.from({ length: 400 }, (_, i) => i);
  const columns = [0, 1, 4, 5, 6];
  const sampled = (columnsPerSplit: number, seed: number, rng = createRng(seed)) =>
    treeToState(growFastTree(presorted, rows, columns, { ...opts({ minNumSamples: 4 }), sampling: { columnsPerSplit, rng } }));

  it("is exact (and draws nothing) when a split may try every column", () => {
    let calls = 0;
    const counted = createRng(1);
    const rng = () => (calls++, counted());
    expect(sampled(columns.length, 1, rng)).toEqual(treeToState(growFastTree(presorted, rows, columns, opts({ minNumSamples: 4 }))));
    expect(sampled(columns.length + 3, 1, rng)).toEqual(sampled(columns.length, 1));
    expect(calls).toBe(0);
  });

  it("is deterministic for a generator seed, differs across seeds, and splits only on the tree's columns", () => {
    const a = sampled(2, 11);
    expect(sampled(2, 11)).toEqual(a);
    expect(sampled(2, 12)).not.toEqual(a);
    expect(sampled(2, 11)).not.toEqual(sampled(columns.length, 11));
    expect(a.feature.length).toBeGreaterThan(20);
    for (const f of a.feature) if (f >= 0) expect(columns).toContain(f);
  });

  it("tries further columns while the picked ones offer no cut", () => {
    // Column 0 is constant, so a pick of it alone offers nothing; every seed must still split on column 1.
    const X = Array.from({ length: 20 }, (_, i) => [5, i]);
    const y = X.map((r) => (r[1] < 10 ? 0 : 1));
    const two = new PresortedData(X, y);
    for (let seed = 1; seed <= 20; seed++) {
      const tree = growFastTree(two, X.map((_, i) => i), [0, 1], { ...opts(), sampling: { columnsPerSplit: 1, rng: createRng(seed) } });
      expect(tree.feature[0]).toBe(1);
      expect(tree.threshold[0]).toBe(9.5);
    }
  });

  it("refuses a pick of no columns", () => {
    expect(() => sampled(0, 1)).toThrow(/columnsPerSplit/);
    expect(() => sampled(1.5, 1)).toThrow(/columnsPerSplit/);
  });
});

describe("growFastTree buffers", () => {
  const data = tieHeavy(400, 99);
  const presorted = new PresortedData(data.X, data.y);
  const rng = createRng(5);
  const draws = Array.from({ length: 3 }, () => Array.from({ length: 200 }, () => Math.floor(rng() * 400)));

  it("gives the same trees whether column lists are sorted or filtered, and with a reused workspace", () => {
    const grow = (listing: TreeWorkspace["listing"], workspace = new TreeWorkspace()) => {
      workspace.listing = listing;
      return draws.map((rows) => growFastTree(presorted, rows, [6, 0, 1, 4, 5], opts({ minNumSamples: 2 }), workspace));
    };
    const sorted = forestToState({ trees: grow("sort"), nFeatures: 7 });
    expect(sorted.trees[0].feature.length).toBeGreaterThan(20);
    expect(forestToState({ trees: grow("filter"), nFeatures: 7 })).toEqual(sorted);
    const shared = new TreeWorkspace();
    grow("filter", shared);
    expect(forestToState({ trees: grow("auto", shared), nFeatures: 7 })).toEqual(sorted);
  });

  it("refuses rows, columns and values it cannot use", () => {
    expect(() => growFastTree(presorted, [0, 400], [0], opts())).toThrow(/row 400 of 400/);
    expect(() => growFastTree(presorted, [0, 1.5], [0], opts())).toThrow(RangeError);
    expect(() => growFastTree(presorted, [], [0], opts())).toThrow(/zero rows/);
    expect(() => growFastTree(presorted, [0, 1], [7], opts())).toThrow(/Column 7 of 7/);
    expect(() => growFastTree(presorted, [0, 1], [0], opts({ maxDepth: -1 }))).toThrow(/maxDepth/);
    expect(() => new PresortedData([[1], [Number.NaN]], [0, 1])).toThrow(/finite/);
    expect(() => new PresortedData([[1], [2]], [0, 2])).toThrow(/labels must be 0 or 1/);
  });
});
