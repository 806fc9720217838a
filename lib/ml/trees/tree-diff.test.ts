import { describe, expect, it } from "vitest";
import type { FlatTree } from "./flat-tree";
import { diffTrees, realGain } from "./tree-diff";

const stump = (feature: number, threshold: number, left = 0.25, right = 0.75): FlatTree => ({
  feature: Int32Array.from([feature, -1, -1]),
  threshold: Float64Array.from([threshold, 0, 0]),
  left: Int32Array.from([1, -1, -1]),
  right: Int32Array.from([2, -1, -1]),
  value: Float64Array.from([0, left, right]),
});
const leaf = (value: number): FlatTree => ({
  feature: Int32Array.from([-1]),
  threshold: Float64Array.from([0]),
  left: Int32Array.from([-1]),
  right: Int32Array.from([-1]),
  value: Float64Array.from([value]),
});

/**
 * Two zeros then six ones. Column 0 cuts off one of each (1/1 | 1/5), column 1
 * two ones (0/2 | 2/4): different counts, the same real gain 1/24. Column 2 is
 * column 0 again, column 3 cuts off a lone 0 (a better cut), and column 4
 * cuts the rows into two halves with the parent's class mix (gain exactly 0).
 */
const X = [
  [0, 1, 0, 0, 0],
  [1, 1, 1, 1, 1],
  [0, 0, 0, 1, 0],
  [1, 0, 1, 1, 1],
  [1, 1, 1, 1, 0],
  [1, 1, 1, 1, 0],
  [1, 1, 1, 1, 1],
  [1, 1, 1, 1, 1],
];
const y = [0, 0, 1, 1, 1, 1, 1, 1];
const rows = [0, 1, 2, 3, 4, 5, 6, 7];

describe("realGain", () => {
  it("is the Gini gain as an exact fraction", () => {
    const g = realGain(2, 6, 1, 1);
    expect(Number(g.num) / Number(g.den)).toBeCloseTo(1 / 24, 15);
    const h = realGain(2, 6, 0, 2);
    expect(g.num * h.den).toBe(h.num * g.den);
    expect(realGain(2, 6, 0, 0).num).toBe(0n);
  });
});

describe("diffTrees", () => {
  it("finds nothing between a tree and itself, and counts what it compared", () => {
    expect(diffTrees(stump(0, 0.5), stump(0, 0.5), X, y, rows)).toEqual({ splitsCompared: 1, leavesCompared: 2, tieDifferences: 0, mismatches: [] });
  });

  it("reports a different leaf value as a mismatch", () => {
    const d = diffTrees(stump(0, 0.5), stump(0, 0.5, 0.25, 0.7), X, y, rows);
    expect(d.mismatches).toEqual(["R: leaf value 0.75 vs 0.7"]);
  });

  it("counts different cuts with the same real gain but different class counts as a tie", () => {
    const d = diffTrees(stump(0, 0.5), stump(1, 0.5), X, y, rows);
    expect(d.tieDifferences).toBe(1);
    expect(d.mismatches).toEqual([]);
  });

  it("reports a better or worse cut as a mismatch", () => {
    expect(diffTrees(stump(0, 0.5), stump(3, 0.5), X, y, rows).mismatches).toHaveLength(1);
  });

  it("reports the same cut on another column or at another threshold as a mismatch (order, not rounding, decides those)", () => {
    expect(diffTrees(stump(0, 0.5), stump(2, 0.5), X, y, rows).mismatches).toHaveLength(1);
    expect(diffTrees(stump(0, 0.5), stump(0, 0.75), X, y, rows).mismatches).toHaveLength(1);
  });

  it("counts a leaf against a zero-gain split as a tie, against a useful split as a mismatch", () => {
    expect(diffTrees(leaf(0.75), stump(4, 0.5), X, y, rows)).toMatchObject({ tieDifferences: 1, mismatches: [] });
    expect(diffTrees(stump(3, 0.5), leaf(0.75), X, y, rows).mismatches).toHaveLength(1);
  });
});
