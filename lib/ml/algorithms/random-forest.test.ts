import { describe, expect, it } from "vitest";
import { syntheticBinary } from "../synthetic";
import firstForest from "./fixtures/first-forest.json";
import { classifierFromJSON, type SerializedClassifier } from "./index";

/**
 * fixtures/first-forest.json is a forest the first random_forest (trees grown
 * by ml-random-forest, one call per tree) trained on syntheticBinary(300, 5, 11, 2)
 * and saved, with its predictions for syntheticBinary(100, 5, 12, 2). Saved
 * models must keep loading and predicting exactly that, whatever grows new ones.
 */
const probe = syntheticBinary(100, 5, 12, 2);

describe("a random forest saved by the first random_forest", () => {
  it("loads and predicts bit for bit what it predicted when saved", () => {
    const restored = classifierFromJSON(firstForest.classifier as SerializedClassifier);
    const p = restored.predictProba(probe.X);
    expect(p).toHaveLength(firstForest.predictions.length);
    expect(p.every((v, i) => Object.is(v, firstForest.predictions[i]))).toBe(true);
    expect(restored.toJSON().state).toEqual(firstForest.classifier.state);
  });
});
