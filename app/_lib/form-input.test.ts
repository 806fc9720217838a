import { describe, expect, it } from "vitest";
import { formInput } from "./form-input";

describe("formInput", () => {
  it("turns a form into the lib's input: lists, optional fields, value groups", () => {
    const form = new FormData();
    form.append("name", " My model ");
    form.append("features", "f1");
    form.append("features", "f2");
    form.append("seed", "  ");
    form.append("calibration", "sigmoid");
    form.append("hyperparameters.n_estimators", "25");
    form.append("hyperparameters.max_depth", "");
    form.append("hyperparameters.l2", "abc");
    form.append("hyperparameters.engine", " fast ");
    form.append("hyperparameters.tol", "1e-6");
    form.append("$ACTION_ID_123", "");
    form.append("file", new Blob(["x"]));
    expect(formInput(form, { lists: ["features", "base_model_ids"], optional: ["seed", "calibration"], valueGroups: ["hyperparameters"] })).toEqual({
      name: " My model ",
      features: ["f1", "f2"],
      base_model_ids: [],
      calibration: "sigmoid",
      hyperparameters: { n_estimators: 25, l2: "abc", engine: "fast", tol: 1e-6 },
    });
  });

  it("keeps an empty required field as an empty string, so the lib's message names it", () => {
    const form = new FormData();
    form.append("name", "");
    expect(formInput(form)).toEqual({ name: "" });
  });
});
