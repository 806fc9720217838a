import { describe, expect, it } from "vitest";
import { compareProbabilities, probabilitiesFingerprint } from "./probabilities";

describe("compareProbabilities", () => {
  it("calls equal bits identical", () => {
    expect(compareProbabilities([0.1, 0.2], [0.1, 0.2])).toEqual({ n: 2, identical: true, mismatches: 0, max_abs_diff: 0 });
  });

  it("catches a difference in the last bit", () => {
    const a = 0.1 + 0.2;
    const r = compareProbabilities([0.5, a], [0.5, 0.3]);
    expect(r.identical).toBe(false);
    expect(r.mismatches).toBe(1);
    expect(r.max_abs_diff).toBeCloseTo(Math.abs(a - 0.3), 20);
    expect(r.max_abs_diff).toBeGreaterThan(0);
  });

  it("counts missing values as mismatches", () => {
    const r = compareProbabilities([0.5, 0.6, 0.7], [0.5]);
    expect(r).toMatchObject({ n: 3, identical: false, mismatches: 2 });
  });
});

describe("probabilitiesFingerprint", () => {
  it("is stable for equal lists and changes with any value", () => {
    expect(probabilitiesFingerprint([0.25, 0.75])).toBe(probabilitiesFingerprint([0.25, 0.75]));
    expect(probabilitiesFingerprint([0.25, 0.75])).not.toBe(probabilitiesFingerprint([0.25, 0.7500000000000001]));
    expect(probabilitiesFingerprint([])).toMatch(/^[0-9a-f]{64}$/);
  });
});
