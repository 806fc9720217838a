import { describe, expect, it } from "vitest";
import { algorithmCatalog, defaultHyperparameters } from "@/lib/ml/algorithms";

const fieldsOf = (name: string) => algorithmCatalog().find((a) => a.name === name)?.fields ?? [];

describe("algorithmCatalog", () => {
  it("lists every hyperparameter with the schema's default and range", () => {
    for (const algorithm of ["random_forest", "logistic_regression"]) {
      const defaults = defaultHyperparameters(algorithm);
      const fields = fieldsOf(algorithm);
      expect(fields.map((f) => f.name).sort()).toEqual(Object.keys(defaults).sort());
      for (const f of fields) expect(f.default).toBe(defaults[f.name]);
      for (const f of fields) expect(f.help.length).toBeGreaterThan(10);
    }
    const trees = fieldsOf("random_forest").find((f) => f.name === "n_estimators");
    expect(trees).toMatchObject({ kind: "number", integer: true, min: 1 });
    expect(trees?.kind === "number" && trees.max).toBeGreaterThan(1);
    expect(fieldsOf("logistic_regression").find((f) => f.name === "l2")).toMatchObject({ kind: "number", integer: false });
  });

  it("tells a bound the value must stay above from one it may equal", () => {
    expect(fieldsOf("random_forest").find((f) => f.name === "max_features")).toMatchObject({ min: 0, max: 1, minExclusive: true });
    expect(fieldsOf("random_forest").find((f) => f.name === "n_estimators")).toMatchObject({ minExclusive: false });
    expect(fieldsOf("logistic_regression").find((f) => f.name === "l2")).toMatchObject({ min: 0, minExclusive: false });
  });

  it("labels and describes every algorithm for the forms", () => {
    const catalog = algorithmCatalog();
    expect(catalog.map((a) => a.name).sort()).toEqual(["logistic_regression", "random_forest"]);
    for (const a of catalog) {
      expect(a.label).not.toBe(a.name);
      expect(a.description.length).toBeGreaterThan(10);
    }
  });
});
