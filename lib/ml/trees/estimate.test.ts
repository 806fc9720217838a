import { describe, expect, it } from "vitest";
import { effectiveLevels, estimateForestSeconds, expectedDistinctRows, type ForestEstimateInput } from "./estimate";

/** The app's defaults on the 1990-2013 NBA table (bench/forest.md). */
const nba: ForestEstimateInput = { rows: 29_566, features: 12, nEstimators: 40, maxDepth: 8, maxSamples: 1500, maxFeatures: 0.8, engine: "fast" };

describe("expectedDistinctRows", () => {
  it("is about 63% of the rows for a full bootstrap, about all draws for a small one, and never more than the rows", () => {
    expect(expectedDistinctRows(10_000, 10_000)).toBeCloseTo(10_000 * (1 - Math.exp(-1)), -1);
    expect(expectedDistinctRows(29_566, 100)).toBeGreaterThan(99.8);
    expect(expectedDistinctRows(50, 1e6)).toBeCloseTo(50, 6);
  });
});

describe("effectiveLevels", () => {
  it("counts every level while nodes are large, then half a level each", () => {
    // 1,500 draws / 10 rows per split = 150 = 2^7.23
    expect(effectiveLevels(6, 1500, 10)).toBe(6);
    expect(effectiveLevels(12, 1500, 10)).toBeCloseTo(Math.log2(150) + (12 - Math.log2(150)) / 2, 10);
  });
});

describe("estimateForestSeconds", () => {
  it("forecasts the fast engine's NBA fits within a factor of two of what the bench measured", () => {
    // Measured (CPU): 0.20-0.31 s for (a), 1.13-1.45 s for (b).
    const a = estimateForestSeconds(nba);
    const b = estimateForestSeconds({ ...nba, maxSamples: undefined });
    expect(a).toBeGreaterThan(0.14);
    expect(a).toBeLessThan(0.6);
    expect(b).toBeGreaterThan(0.7);
    expect(b).toBeLessThan(2.9);
  });

  it("forecasts the ml-random-forest engine's 40 trees of 1,500 rows at about the measured 41-48 s", () => {
    const s = estimateForestSeconds({ ...nba, engine: "ml-random-forest" });
    expect(s).toBeGreaterThan(35);
    expect(s).toBeLessThan(60);
    // Quadratic in the rows per tree.
    expect(estimateForestSeconds({ ...nba, maxSamples: 3000, engine: "ml-random-forest" }) / s).toBeCloseTo(4, 1);
  });

  it("charges split sampling for the columns each split scans, but every used column for partitioning", () => {
    const full = { ...nba, maxSamples: undefined, maxFeatures: 1 };
    const all = estimateForestSeconds(full);
    const quarter = estimateForestSeconds({ ...full, splitFeatures: 0.25 });
    expect(estimateForestSeconds({ ...full, splitFeatures: 1 })).toBe(all);
    expect(quarter).toBeLessThan(all);
    expect(quarter).toBeGreaterThan(all / 4);
    // The library engine cannot sample per split, so its estimate ignores it.
    expect(estimateForestSeconds({ ...nba, engine: "ml-random-forest", splitFeatures: 0.5 })).toBe(estimateForestSeconds({ ...nba, engine: "ml-random-forest" }));
  });

  it("grows linearly in trees for the fast engine apart from the one presort, and caps draws at the rows", () => {
    const presortOnly = estimateForestSeconds({ ...nba, nEstimators: 0 });
    expect(presortOnly).toBeGreaterThan(0);
    const one = estimateForestSeconds({ ...nba, nEstimators: 1 }) - presortOnly;
    expect(estimateForestSeconds({ ...nba, nEstimators: 80 }) - presortOnly).toBeCloseTo(80 * one, 10);
    expect(estimateForestSeconds({ ...nba, maxSamples: 1e9 })).toBe(estimateForestSeconds({ ...nba, maxSamples: undefined }));
  });
});
