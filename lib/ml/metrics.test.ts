import { describe, expect, it } from "vitest";
import { DimensionMismatchError } from "./errors";
import { accuracy, auc, brier, evaluate, logLoss } from "./metrics";

// Worked by hand: predictions at 0.5 are 1,0,1,1 (3 of 4 right); squared errors
// .01,.16,.16,.36; of the 4 positive/negative pairs 3 are ordered and 1 tied.
const y = [1, 0, 1, 0];
const p = [0.9, 0.4, 0.6, 0.6];

describe("metrics", () => {
  it("match hand-computed values", () => {
    expect(accuracy(y, p)).toBe(0.75);
    expect(accuracy(y, p, 0.7)).toBe(0.75); // 1,0,0,0
    expect(accuracy(y, p, 0.95)).toBe(0.5);
    expect(logLoss(y, p)).toBeCloseTo((0.105360516 + 0.510825624 + 0.510825624 + 0.916290732) / 4, 8);
    expect(brier(y, p)).toBeCloseTo(0.1725, 12);
    expect(auc(y, p)).toBe(0.875);
    expect(evaluate(y, p)).toEqual({ accuracy: 0.75, log_loss: logLoss(y, p), brier: brier(y, p), auc: 0.875, n: 4 });
  });

  it("clips log loss so a confident mistake is large but finite", () => {
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-15), 6);
    const perfect = logLoss([0, 1], [0, 1]);
    expect(perfect).toBeGreaterThan(0);
    expect(perfect).toBeLessThan(2e-15);
  });

  it("gives AUC 1 for a perfect ranking, 0 for a reversed one, 0.5 for all ties, NaN for one class", () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])).toBe(1);
    expect(auc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toBe(0);
    expect(auc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    expect(auc([1, 1], [0.2, 0.3])).toBeNaN();
  });

  it("gives AUC as the share of positive-negative pairs ordered right, ties counting half, on many rows with ties", () => {
    for (const seed of [1, 2, 3]) {
      let state = seed;
      const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      // Scores rounded to two decimals: hundreds of tied pairs.
      const scores = Array.from({ length: 400 }, () => Math.round(next() * 100) / 100);
      const labels = scores.map((s) => (next() < s ? 1 : 0));
      let pairs = 0;
      let ordered = 0;
      for (let i = 0; i < labels.length; i++) {
        for (let j = 0; j < labels.length; j++) {
          if (labels[i] !== 1 || labels[j] !== 0) continue;
          pairs++;
          ordered += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
        }
      }
      expect(auc(labels, scores)).toBe(ordered / pairs);
    }
  });

  it("refuses mismatched or empty inputs", () => {
    expect(() => brier([1, 0], [0.5])).toThrow(DimensionMismatchError);
    expect(() => accuracy([], [])).toThrow(DimensionMismatchError);
  });
});
