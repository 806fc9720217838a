import { describe, expect, it } from "vitest";
import { refusal } from "../test-helpers";
import { syntheticBinary } from "../synthetic";
import firstForest from "./fixtures/first-forest.json";
import { classifierFromJSON, createClassifier, parseHyperparameters, type SerializedClassifier } from "./index";

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

const fixtureTrain = syntheticBinary(300, 5, 11, 2);

describe("random_forest's engines", () => {
  it("regrow the saved forest from its settings and seed with either engine", async () => {
    const { hyperparameters, seed, state } = firstForest.classifier;
    for (const engine of ["ml-random-forest", "fast"]) {
      const c = createClassifier("random_forest", { ...hyperparameters, engine }, seed);
      await c.fit(fixtureTrain.X, fixtureTrain.y);
      expect(c.toJSON().state, engine).toEqual(state);
    }
  });

  it("record the engine and split sampling a forest saved before them was grown with", () => {
    const restored = classifierFromJSON(firstForest.classifier as SerializedClassifier).toJSON();
    expect(restored.hyperparameters).toEqual({ ...firstForest.classifier.hyperparameters, engine: "ml-random-forest", split_features: 1 });
  });

  it("default to the fast engine, and refuse split sampling with the library engine", () => {
    expect(parseHyperparameters("random_forest", {})).toMatchObject({ engine: "fast", split_features: 1, max_samples: 0 });
    const err = refusal(() => parseHyperparameters("random_forest", { engine: "ml-random-forest", split_features: 0.5 }));
    expect(err.fields).toEqual({ "hyperparameters.split_features": [expect.stringMatching(/must be 1 with the ml-random-forest engine/)] });
    expect(refusal(() => parseHyperparameters("random_forest", { engine: "lightgbm" })).fields["hyperparameters.engine"]).toEqual([
      "engine must be one of: fast, ml-random-forest.",
    ]);
  });
});

describe("random_forest's max_samples", () => {
  it("draws as many rows as the training set has at 0, and keeps per-tree counts otherwise", async () => {
    const fit = async (maxSamples: number) => {
      const c = createClassifier("random_forest", { n_estimators: 3, max_depth: 4, max_samples: maxSamples }, 8);
      await c.fit(fixtureTrain.X, fixtureTrain.y);
      return c.toJSON().state;
    };
    const all = await fit(0);
    expect(await fit(300)).toEqual(all);
    expect(await fit(250)).not.toEqual(all);
  });

  it("accepts the counts stored configs hold and far more rows than ml-cart could take, within a bound", () => {
    for (const count of [800, 1000, 1500, 20_000, 250_000]) expect(parseHyperparameters("random_forest", { max_samples: count }).max_samples).toBe(count);
    expect(Object.keys(refusal(() => parseHyperparameters("random_forest", { max_samples: 5_000_000 })).fields)).toEqual(["hyperparameters.max_samples"]);
    expect(Object.keys(refusal(() => parseHyperparameters("random_forest", { max_samples: -1 })).fields)).toEqual(["hyperparameters.max_samples"]);
  });
});
