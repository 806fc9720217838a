import { describe, expect, it } from "vitest";
import { defaultHyperparameters } from "@/lib/ml/algorithms";
import { allHyperparameterFields } from "./hyperparameter-fields";

describe("hyperparameterFields", () => {
  it("lists every hyperparameter with the schema's default and range", () => {
    const fields = allHyperparameterFields();
    for (const algorithm of ["random_forest", "logistic_regression"] as const) {
      const defaults = defaultHyperparameters(algorithm);
      expect(fields[algorithm].map((f) => f.name).sort()).toEqual(Object.keys(defaults).sort());
      for (const f of fields[algorithm]) expect(f.default).toBe(defaults[f.name]);
    }
    const trees = fields.random_forest.find((f) => f.name === "n_estimators");
    expect(trees).toMatchObject({ integer: true, min: 1 });
    expect(trees?.max).toBeGreaterThan(1);
    expect(fields.logistic_regression.find((f) => f.name === "l2")?.integer).toBe(false);
  });

  it("tells a bound the value must stay above from one it may equal", () => {
    const fields = allHyperparameterFields();
    expect(fields.random_forest.find((f) => f.name === "max_features")).toMatchObject({ min: 0, max: 1, minExclusive: true });
    expect(fields.random_forest.find((f) => f.name === "n_estimators")?.minExclusive).toBe(false);
    expect(fields.logistic_regression.find((f) => f.name === "l2")).toMatchObject({ min: 0, minExclusive: false });
  });
});
