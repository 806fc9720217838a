import { z } from "zod";
import { describe, expect, it } from "vitest";
import { InvalidModelStateError } from "../errors";
import { refusal } from "../test-helpers";
import { hyperparameterField, hyperparametersSchema } from "./define";
import {
  algorithmCatalog,
  classifierFromJSON,
  createClassifier,
  defaultHyperparameters,
  defineAlgorithm,
  estimateTrainingSeconds,
  parseHyperparameters,
  registerAlgorithm,
  type Estimator,
} from "./index";

/** A constant predictor with a choice and a number that must agree: enough to drive every path a choice takes. */
const specs = {
  mode: { type: "choice", options: ["plain", "fancy"] as const, default: "fancy", legacy: "plain", help: "How the constant is chosen." },
  level: { type: "number", min: 0, max: 1, default: 0.5, help: "The constant, for plain mode." },
} as const;

class Constant implements Estimator<{ p: number }> {
  constructor(private p: number) {}
  async fit(): Promise<void> {}
  predictProba(X: number[][]): number[] {
    return X.map(() => this.p);
  }
  state() {
    return { p: this.p };
  }
}

registerAlgorithm(
  defineAlgorithm({
    name: "constant_choice",
    label: "Constant",
    description: "Predicts one probability for every row.",
    hyperparameters: specs,
    checkCombination: (hp) => (hp.mode === "fancy" && hp.level !== 0.5 ? { level: "level must stay 0.5 in fancy mode." } : undefined),
    create: (hp) => new Constant(hp.mode === "plain" ? hp.level : 0.5),
    stateSchema: z.object({ p: z.number() }),
    restore: (_hp, _seed, state) => new Constant(state.p),
    estimateSeconds: (hp) => (hp.mode === "fancy" ? 2 : 1),
  }),
);

describe("choice hyperparameters", () => {
  it("default to their default and accept only their options, naming them", () => {
    expect(defaultHyperparameters("constant_choice")).toEqual({ mode: "fancy", level: 0.5 });
    expect(parseHyperparameters("constant_choice", { mode: "plain", level: 0.2 })).toEqual({ mode: "plain", level: 0.2 });
    const err = refusal(() => parseHyperparameters("constant_choice", { mode: "shiny" }));
    expect(err.fields["hyperparameters.mode"]).toEqual(["mode must be one of: plain, fancy."]);
    expect(refusal(() => parseHyperparameters("constant_choice", { mode: 1 })).fields["hyperparameters.mode"]).toEqual(["mode must be one of: plain, fancy."]);
    expect(refusal(() => parseHyperparameters("constant_choice", { level: "fancy" })).fields["hyperparameters.level"]).toEqual(["level must be a number."]);
  });

  it("reach the form as a field with their options", () => {
    const fields = algorithmCatalog().find((a) => a.name === "constant_choice")?.fields;
    expect(fields?.[0]).toEqual({ kind: "choice", name: "mode", help: "How the constant is chosen.", default: "fancy", options: ["plain", "fancy"] });
    expect(fields?.[1]).toMatchObject({ kind: "number", min: 0, max: 1, minExclusive: false });
    expect(hyperparameterField("x", { type: "choice", options: ["a"], default: "a", help: "h" })).toMatchObject({ kind: "choice", options: ["a"] });
  });

  it("are stored in the saved classifier and read back", async () => {
    const c = createClassifier("constant_choice", { mode: "plain", level: 0.3 }, 1);
    await c.fit([[0]], [1]);
    const saved = JSON.parse(JSON.stringify(c.toJSON()));
    expect(saved.hyperparameters).toEqual({ mode: "plain", level: 0.3 });
    expect(classifierFromJSON(saved).toJSON()).toEqual(saved);
    expect(classifierFromJSON(saved).predictProba([[1]])).toEqual([0.3]);
  });

  it("feed the training-time estimate, which refuses what training would refuse", () => {
    expect(estimateTrainingSeconds("constant_choice", {}, 10, 1)).toBe(2);
    expect(estimateTrainingSeconds("constant_choice", { mode: "plain" }, 10, 1)).toBe(1);
    expect(refusal(() => estimateTrainingSeconds("constant_choice", { mode: "shiny" }, 10, 1)).fields).toHaveProperty(["hyperparameters.mode"]);
  });

  it("must be named options, and defaults and legacy values must be among them", () => {
    const base = { name: "bad", label: "Bad", description: "Never registered.", create: () => new Constant(0), stateSchema: z.object({ p: z.number() }), restore: () => new Constant(0), estimateSeconds: () => 0 };
    const withChoice = (choice: object) => () => defineAlgorithm({ ...base, hyperparameters: { c: { type: "choice", help: "h", ...choice } as never } });
    expect(withChoice({ options: ["1", "2"], default: "1" })).toThrow(/named in lowercase/);
    expect(withChoice({ options: [], default: "a" })).toThrow(/one or more options/);
    expect(withChoice({ options: ["a", "b"], default: "c" })).toThrow(/default of bad\.c/);
    expect(withChoice({ options: ["a", "b"], default: "a", legacy: "z" })).toThrow(/legacy of bad\.c/);
    expect(withChoice({ options: ["a", "b-c"], default: "b-c" })).not.toThrow();
  });
});

describe("legacy values", () => {
  it("fill in what a saved model lacks, while new settings get the default", () => {
    expect(hyperparametersSchema(specs).parse({})).toEqual({ mode: "fancy", level: 0.5 });
    expect(hyperparametersSchema(specs, { saved: true }).parse({})).toEqual({ mode: "plain", level: 0.5 });
    const old = classifierFromJSON({ algorithm: "constant_choice", hyperparameters: { level: 0.2 }, seed: 1, state: { p: 0.2 } });
    expect(old.toJSON().hyperparameters).toEqual({ mode: "plain", level: 0.2 });
  });
});

describe("combination checks", () => {
  it("refuse settings that do not go together, keyed by the field to change", () => {
    const err = refusal(() => parseHyperparameters("constant_choice", { level: 0.9 }));
    expect(err.fields).toEqual({ "hyperparameters.level": ["level must stay 0.5 in fancy mode."] });
    expect(() => createClassifier("constant_choice", { level: 0.9 }, 1)).toThrow(/Invalid hyperparameters for constant_choice/);
    const saved = { algorithm: "constant_choice", hyperparameters: { mode: "fancy", level: 0.9 }, seed: 1, state: { p: 0.5 } };
    expect(() => classifierFromJSON(saved)).toThrow(InvalidModelStateError);
    expect(() => classifierFromJSON(saved)).toThrow(/"level": level must stay 0.5 in fancy mode/);
  });
});
