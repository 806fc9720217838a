import { describe, expect, it } from "vitest";
import { DimensionMismatchError, InvalidModelStateError, NotFittedError } from "./errors";
import { StandardScaler, type ScalerState } from "./scaler";

const X = [
  [1, 5, 2],
  [3, 5, 4],
  [5, 5, 9],
];

describe("StandardScaler", () => {
  it("centres on the mean and divides by the population standard deviation", () => {
    const state = new StandardScaler().fit(X).toJSON();
    expect(state.type).toBe("standard");
    expect(state.mean).toEqual([3, 5, 5]);
    expect(state.scale[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(state.scale[1]).toBe(1); // constant column
    expect(state.scale[2]).toBeCloseTo(Math.sqrt(26 / 3), 12);
  });

  it("treats a constant column with an inexact mean as zero variance", () => {
    const state = new StandardScaler().fit(Array.from({ length: 7 }, () => [0.1])).toJSON();
    expect(state.scale).toEqual([1]);
  });

  it("round-trips through JSON and transforms identically", () => {
    const scaler = new StandardScaler().fit(X);
    const restored = StandardScaler.fromJSON(JSON.parse(JSON.stringify(scaler.toJSON())) as ScalerState);
    const probe = [[2.5, 7, -1], [0, 0, 0]];
    expect(restored.transform(probe)).toEqual(scaler.transform(probe));
    expect(restored.transform(X).map((r) => r[1])).toEqual([0, 0, 0]);
  });

  it("refuses rows with a different column count, use before fit, and malformed state", () => {
    const scaler = new StandardScaler().fit(X);
    expect(() => scaler.transform([[1, 2]])).toThrow(DimensionMismatchError);
    expect(() => new StandardScaler().transform(X)).toThrow(NotFittedError);
    expect(() => StandardScaler.fromJSON({ type: "standard", mean: [1, 2], scale: [1] })).toThrow(InvalidModelStateError);
    expect(() => StandardScaler.fromJSON({ type: "standard", mean: [1], scale: [0] })).toThrow(InvalidModelStateError);
  });
});
