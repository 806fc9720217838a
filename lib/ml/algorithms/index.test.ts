import { describe, expect, it } from "vitest";
import { InvalidModelStateError } from "../errors";
import { refusal } from "../test-helpers";
import { syntheticBinary } from "../synthetic";
import {
  classifierFromJSON,
  createClassifier,
  defaultHyperparameters,
  estimateTrainingSeconds,
  parseHyperparameters,
  type SerializedClassifier,
} from "./index";

describe("hyperparameters", () => {
  it("fill in defaults", () => {
    expect(defaultHyperparameters("random_forest")).toEqual({
      n_estimators: 100,
      max_depth: 8,
      max_samples: 0,
      max_features: 1,
      split_features: 1,
      min_samples_split: 10,
      engine: "fast",
    });
    expect(defaultHyperparameters("logistic_regression")).toEqual({ l2: 1e-3, max_iter: 50, tol: 1e-6 });
    const partial = createClassifier("random_forest", { n_estimators: 5 }, 1);
    expect(parseHyperparameters("random_forest", { n_estimators: 5 })).toMatchObject({ n_estimators: 5, max_depth: 8 });
    expect(partial.algorithm).toBe("random_forest");
  });

  it("name the offending field for out-of-range, non-integer and non-numeric values", () => {
    const err = refusal(() =>
      createClassifier("random_forest", { n_estimators: 0, max_depth: 2.5, max_features: 1.5, max_samples: "900" }, 1),
    );
    expect(Object.keys(err.fields).sort()).toEqual([
      "hyperparameters.max_depth",
      "hyperparameters.max_features",
      "hyperparameters.max_samples",
      "hyperparameters.n_estimators",
    ]);
    expect(err.fields["hyperparameters.n_estimators"]).toEqual(["n_estimators must be a whole number from 1 to 300."]);
    expect(err.fields["hyperparameters.max_samples"]).toEqual(["max_samples must be a number."]);
    expect(refusal(() => createClassifier("logistic_regression", { l2: -1 }, 1)).fields["hyperparameters.l2"]).toEqual([
      "l2 must be at least 0 and at most 1000.",
    ]);
  });

  it("reject unknown names, listing the known ones", () => {
    const err = refusal(() => createClassifier("logistic_regression", { C: 1, max_iter: 10 }, 1));
    expect(err.fields["hyperparameters.C"]?.[0]).toBe('"C" is not a logistic_regression hyperparameter; known ones are l2, max_iter, tol.');
  });

  it("reject a non-object, an unknown algorithm and a fractional seed", () => {
    expect(Object.keys(refusal(() => createClassifier("random_forest", [3], 1)).fields)).toEqual(["hyperparameters"]);
    expect(Object.keys(refusal(() => createClassifier("svm", {}, 1)).fields)).toEqual(["algorithm"]);
    expect(Object.keys(refusal(() => createClassifier("random_forest", {}, 1.5)).fields)).toEqual(["seed"]);
    expect(() => createClassifier("random_forest", null, 1)).not.toThrow();
  });
});

describe("classifierFromJSON", () => {
  async function saved(algorithm: string): Promise<SerializedClassifier> {
    const data = syntheticBinary(200, 4, 1);
    const c = createClassifier(algorithm, algorithm === "random_forest" ? { n_estimators: 3, max_samples: 100 } : {}, 1);
    await c.fit(data.X, data.y);
    return JSON.parse(JSON.stringify(c.toJSON())) as SerializedClassifier;
  }

  it("refuses malformed input with an Error that says what is wrong", async () => {
    const rf = await saved("random_forest");
    const lr = await saved("logistic_regression");
    const broken = (json: unknown) => () => classifierFromJSON(json as SerializedClassifier);

    expect(broken({ ...rf, algorithm: "svm" })).toThrow(/algorithm/);
    expect(broken({ ...rf, state: undefined })).toThrow(/Random forest state is malformed/);
    expect(broken({ ...lr, state: { coef: [1, "x"], intercept: 0, n_iter: 1, converged: true } })).toThrow(/coef\.1/);
    expect(broken({ ...lr, hyperparameters: { ...lr.hyperparameters, gamma: 1 } })).toThrow(/gamma/);

    const tree = (rf.state as { trees: Array<{ left: number[] }> }).trees[0];
    tree.left[0] = 0; // a node pointing at itself would loop forever
    expect(broken(rf)).toThrow(InvalidModelStateError);
    expect(broken(rf)).toThrow(/tree 0 node 0 links to node 0/);
  });
});

describe("estimateTrainingSeconds", () => {
  it("scales with work, follows the forest's engine, and is capped by max_samples for the library engine", () => {
    const rf = defaultHyperparameters("random_forest");
    const small = estimateTrainingSeconds("random_forest", rf, 1000, 12);
    const large = estimateTrainingSeconds("random_forest", rf, 20_000, 12);
    expect(small).toBeGreaterThan(0);
    expect(large).toBeGreaterThan(5 * small);
    expect(estimateTrainingSeconds("random_forest", { ...rf, n_estimators: 200 }, 20_000, 12)).toBeGreaterThan(1.8 * large);
    const library = { ...rf, engine: "ml-random-forest", max_samples: 1500 };
    const capped = estimateTrainingSeconds("random_forest", library, 20_000, 12);
    expect(estimateTrainingSeconds("random_forest", library, 60_000, 12)).toBeCloseTo(capped, 6);
    expect(capped).toBeGreaterThan(20 * estimateTrainingSeconds("random_forest", { ...rf, max_samples: 1500 }, 20_000, 12));
    expect(Object.keys(refusal(() => estimateTrainingSeconds("random_forest", { engine: "xgboost" }, 1000, 12)).fields)).toEqual(["hyperparameters.engine"]);
    const lr = defaultHyperparameters("logistic_regression");
    expect(estimateTrainingSeconds("logistic_regression", lr, 60_000, 20)).toBeGreaterThan(estimateTrainingSeconds("logistic_regression", lr, 6_000, 20));
  });
});
