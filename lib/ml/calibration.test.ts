import { describe, expect, it } from "vitest";
import { applyPlatt, fitPlatt } from "./calibration";
import { createRng } from "./random";

/** Labels drawn from a known sigmoid P(y=1|s) = 1 / (1 + exp(a s + b)). */
function fromSigmoid(a: number, b: number, n: number, seed: number) {
  const rng = createRng(seed);
  const scores: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = rng() * 8 - 4;
    scores.push(s);
    y.push(rng() < 1 / (1 + Math.exp(a * s + b)) ? 1 : 0);
  }
  return { scores, y };
}

describe("Platt scaling", () => {
  it("recovers the parameters of a known sigmoid", () => {
    const { scores, y } = fromSigmoid(-1.5, 0.4, 4000, 5);
    const state = fitPlatt(scores, y);
    expect(state.type).toBe("sigmoid");
    expect(state.a).toBeGreaterThan(-1.65);
    expect(state.a).toBeLessThan(-1.35);
    expect(state.b).toBeGreaterThan(0.25);
    expect(state.b).toBeLessThan(0.55);
    expect(fitPlatt(scores, y)).toEqual(state);
  });

  it("applies the sigmoid in Platt's sign convention", () => {
    const [mid, high] = applyPlatt({ type: "sigmoid", a: -2, b: 0 }, [0, 1]);
    expect(mid).toBe(0.5);
    expect(high).toBeCloseTo(1 / (1 + Math.exp(-2)), 15);
    expect(applyPlatt({ type: "sigmoid", a: 1, b: 0 }, [-1000, 1000])).toEqual([1, 0]);
  });

  it("stays finite on perfectly separated scores thanks to target smoothing", () => {
    const state = fitPlatt([-2, -1, 1, 2], [0, 0, 1, 1]);
    expect(Number.isFinite(state.a) && Number.isFinite(state.b)).toBe(true);
    const [p0, , , p3] = applyPlatt(state, [-2, -1, 1, 2]);
    expect(p0).toBeLessThan(0.3);
    expect(p3).toBeGreaterThan(0.7);
    expect(p3).toBeLessThan(1);
  });
});
