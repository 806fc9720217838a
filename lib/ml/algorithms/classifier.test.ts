import { describe, expect, it } from "vitest";
import { DimensionMismatchError, NotFittedError } from "../errors";
import { accuracy } from "../metrics";
import { syntheticBinary } from "../synthetic";
import { classifierFromJSON, createClassifier, type SerializedClassifier } from "./index";

/** Small enough that every fit below takes well under a second. */
const FAST: Record<string, Record<string, number>> = {
  random_forest: { n_estimators: 12, max_samples: 300, max_depth: 6 },
  logistic_regression: {},
};

const train = syntheticBinary(600, 6, 1);
const test = syntheticBinary(400, 6, 2);

async function fitted(algorithm: string, seed = 42) {
  const classifier = createClassifier(algorithm, FAST[algorithm], seed);
  await classifier.fit(train.X, train.y);
  return classifier;
}

describe.each(["random_forest", "logistic_regression"] as const)("%s", (algorithm) => {
  it("learns a separable problem", async () => {
    const classifier = await fitted(algorithm);
    const p = classifier.predictProba(test.X);
    expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(accuracy(test.y, p)).toBeGreaterThan(0.9);
  });

  it("gives identical predictions for the same seed", async () => {
    const [a, b] = await Promise.all([fitted(algorithm, 7), fitted(algorithm, 7)]);
    expect(b.predictProba(test.X)).toEqual(a.predictProba(test.X));
    expect(b.toJSON()).toEqual(a.toJSON());
  });

  it("predicts bit-for-bit the same after a JSON round trip", async () => {
    const original = await fitted(algorithm);
    const saved = JSON.parse(JSON.stringify(original.toJSON())) as SerializedClassifier;
    const restored = classifierFromJSON(saved);
    expect(restored.algorithm).toBe(algorithm);
    const before = original.predictProba(test.X);
    const after = restored.predictProba(test.X);
    expect(after.every((v, i) => Object.is(v, before[i]))).toBe(true);
    expect(JSON.stringify(restored.toJSON())).toBe(JSON.stringify(saved));
  });

  it("reports rising progress that ends at 1", async () => {
    const seen: number[] = [];
    await createClassifier(algorithm, FAST[algorithm], 1).fit(train.X, train.y, { onProgress: (f) => void seen.push(f) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((f, i) => f > 0 && f <= 1 && (i === 0 || f >= seen[i - 1]))).toBe(true);
  });

  it("refuses to predict before fitting or on rows of the wrong width", async () => {
    expect(() => createClassifier(algorithm, {}, 1).predictProba(test.X)).toThrow(NotFittedError);
    const classifier = await fitted(algorithm);
    expect(() => classifier.predictProba([[1, 2, 3]])).toThrow(DimensionMismatchError);
  });
});

describe("random_forest", () => {
  it("grows different trees for a different seed", async () => {
    const [a, b] = await Promise.all([fitted("random_forest", 1), fitted("random_forest", 2)]);
    expect(b.predictProba(test.X)).not.toEqual(a.predictProba(test.X));
  });

  it("gives graded probabilities, not only 0 and 1, on noisy data", async () => {
    const noisy = syntheticBinary(400, 6, 3, 3);
    const classifier = createClassifier("random_forest", FAST.random_forest, 5);
    await classifier.fit(noisy.X, noisy.y);
    const distinct = new Set(classifier.predictProba(test.X));
    expect(distinct.size).toBeGreaterThan(50);
  });
});
