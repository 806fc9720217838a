import { describe, expect, it } from "vitest";
import { brier, logLoss } from "@/lib/ml/metrics";
import { brierPerItem, logLossPerItem } from "./losses";

describe("per-item losses", () => {
  const y = [1, 0, 1, 0];
  const p = [0.8, 0.3, 0.5, 0];

  it("score each item", () => {
    const expected = [0.04, 0.09, 0.25, 0];
    brierPerItem(y, p).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
    expect(logLossPerItem([1], [0.5])[0]).toBeCloseTo(Math.LN2, 12);
    expect(Number.isFinite(logLossPerItem([1], [0])[0])).toBe(true);
  });

  it("average to the metrics module's log loss and Brier score", () => {
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(logLossPerItem(y, p))).toBeCloseTo(logLoss(y, p), 12);
    expect(mean(brierPerItem(y, p))).toBeCloseTo(brier(y, p), 12);
  });

  it("refuses lists of different lengths", () => {
    expect(() => brierPerItem([1, 0], [0.5])).toThrow(RangeError);
  });
});
