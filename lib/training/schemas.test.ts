import { describe, expect, it } from "vitest";
import { EnsembleInput } from "@/lib/ensemble/schemas";
import { ModelConfigInput } from "./schemas";

const model = { name: "m", algorithm: "logistic_regression", features: ["f1"], target: "label", training_csv: "d.csv" };
const ensemble = { name: "e", base_model_ids: ["0123456789abcdef01234567", "0123456789abcdef01234568"], meta_training_csv: "d.csv" };

describe("the seed of model and ensemble configs", () => {
  for (const [label, schema, base] of [
    ["model", ModelConfigInput, model],
    ["ensemble", EnsembleInput, ensemble],
  ] as const) {
    it(`${label}: refuses null and other non-numbers instead of reading them as 0`, () => {
      for (const seed of [null, "", "  ", true, false, [], [7], {}, "abc", "7 apples", "0x10", "1e3"]) {
        const parsed = schema.safeParse({ ...base, seed });
        expect(parsed.success, `seed ${JSON.stringify(seed)}`).toBe(false);
        expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual(["seed"]);
      }
    });

    it(`${label}: takes numbers and the digit strings forms send, and defaults to 42`, () => {
      expect(schema.parse({ ...base, seed: 7 }).seed).toBe(7);
      expect(schema.parse({ ...base, seed: "7" }).seed).toBe(7);
      expect(schema.parse({ ...base, seed: " 12 " }).seed).toBe(12);
      expect(schema.parse(base).seed).toBe(42);
      expect(schema.safeParse({ ...base, seed: 1.5 }).success).toBe(false);
      expect(schema.safeParse({ ...base, seed: "-1" }).success).toBe(false);
      expect(schema.safeParse({ ...base, seed: 2 ** 31 }).success).toBe(false);
    });
  }
});

describe("a model PATCH", () => {
  it("changes only what it names: no default fills in the fields it leaves out", async () => {
    const { ModelConfigPatch } = await import("./schemas");
    expect(ModelConfigPatch.parse({ name: "renamed" })).toEqual({ name: "renamed" });
    expect(ModelConfigPatch.parse({})).toEqual({});
    expect(ModelConfigPatch.safeParse({ seed: null }).success).toBe(false);
    expect(ModelConfigPatch.parse({ seed: "9" })).toEqual({ seed: 9 });
  });
});
