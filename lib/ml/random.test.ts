import { describe, expect, it } from "vitest";
import { createRng, sampleIndices, shuffledIndices } from "./random";
import { holdoutSplit, takeRows } from "./split";

const draw = (seed: number, n = 5) => Array.from({ length: n }, createRng(seed));

describe("createRng", () => {
  it("repeats its sequence for a seed and differs between seeds", () => {
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    for (const v of draw(1, 1000)) expect(v >= 0 && v < 1).toBe(true);
  });
});

describe("shuffledIndices and sampleIndices", () => {
  it("shuffles into a permutation", () => {
    const order = shuffledIndices(50, createRng(3));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
  });

  it("draws distinct indices without replacement and repeats with it", () => {
    const distinct = sampleIndices(20, 20, createRng(4), false);
    expect(new Set(distinct).size).toBe(20);
    const bootstrap = sampleIndices(20, 200, createRng(4), true);
    expect(bootstrap).toHaveLength(200);
    expect(new Set(bootstrap).size).toBeLessThan(20 + 1);
    expect(bootstrap.every((i) => Number.isInteger(i) && i >= 0 && i < 20)).toBe(true);
    expect(() => sampleIndices(3, 4, createRng(1), false)).toThrow(RangeError);
  });
});

describe("holdoutSplit", () => {
  it("splits every row exactly once, deterministically for a seed", () => {
    const split = holdoutSplit(100, 0.2, 11);
    expect(split.test).toHaveLength(20);
    expect([...split.train, ...split.test].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(holdoutSplit(100, 0.2, 11)).toEqual(split);
    expect(holdoutSplit(100, 0.2, 12).test).not.toEqual(split.test);
  });

  it("keeps at least one row on each side", () => {
    expect(holdoutSplit(2, 0.01, 1).test).toHaveLength(1);
    expect(holdoutSplit(2, 0.99, 1).train).toHaveLength(1);
    expect(() => holdoutSplit(10, 1, 1)).toThrow(RangeError);
  });

  it("takeRows picks rows by index", () => {
    expect(takeRows(["a", "b", "c"], [2, 0])).toEqual(["c", "a"]);
    expect(() => takeRows(["a"], [1])).toThrow(RangeError);
  });
});
