import { describe, expect, it } from "vitest";
import { pairedDifference, percentile, spread } from "./stats";

describe("percentile", () => {
  it("interpolates between closest ranks like numpy", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([4, 1, 3, 2], 0)).toBe(1);
    expect(percentile([4, 1, 3, 2], 100)).toBe(4);
    // rank 0.99 * 9 = 8.91 between 9 and 10
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBeCloseTo(9.91, 12);
  });

  it("does not reorder the caller's array", () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });

  it("refuses empty lists, non-finite values and percentiles out of range", () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1, Number.NaN], 50)).toThrow(/non-finite/);
    expect(() => percentile([1, 2], 101)).toThrow(/between 0 and 100/);
  });
});

describe("spread", () => {
  it("gives the median and the range", () => {
    expect(spread([5, 1, 9])).toMatchObject({ median: 5, min: 1, max: 9 });
    expect(spread([30, 10, 20, 40])).toEqual({ median: 25, min: 10, max: 40, n: 4 });
  });
});

describe("pairedDifference", () => {
  it("gives the mean difference and its standard error", () => {
    // differences 1, 2, 3: mean 2, sample sd 1, se 1/sqrt(3)
    const d = pairedDifference([2, 4, 6], [1, 2, 3]);
    expect(d.mean).toBe(2);
    expect(d.standard_error).toBeCloseTo(1 / Math.sqrt(3), 12);
    expect(d.n).toBe(3);
  });

  it("has no standard error for a single pair and refuses unequal lengths", () => {
    expect(pairedDifference([1], [0]).standard_error).toBeNaN();
    expect(() => pairedDifference([1, 2], [1])).toThrow(RangeError);
  });
});
