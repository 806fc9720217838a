import { beforeAll, describe, expect, it } from "vitest";
import { knownError } from "@/app/_lib/error-status";
import { ValidationError } from "@/lib/errors";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { useTestEnv } from "@/lib/testing/env";
import { createModelConfig, predictWithModel } from "./service";
import { trainModel } from "./train";

useTestEnv();

let modelId = "";

/** What a client receives for a refused predict request. */
async function refusedBody(input: unknown) {
  const err = await predictWithModel(modelId, input).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  const known = knownError(err);
  expect(known?.status).toBe(400);
  return { error: known!.message, fields: known!.fields ?? {} };
}

beforeAll(async () => {
  const ds = await saveSyntheticDataset("predict-data", 200, 5);
  const model = await createModelConfig({ name: "predict-lr", algorithm: "logistic_regression", features: ["f1", "f2"], target: "label", training_csv: ds.path });
  await trainModel(model.id);
  modelId = model.id;
});

describe("predicting from a saved model", () => {
  it("answers 10,000 rows missing a feature with a short error naming the first rows and the count", async () => {
    const body = await refusedBody({ rows: Array.from({ length: 10_000 }, (_, i) => ({ f1: i })) });
    expect(body.error).toMatch(/^10,000 of 10,000 rows do not have exactly these features: f1, f2\./);
    expect(Object.keys(body.fields)).toHaveLength(5);
    expect(JSON.stringify(body).length).toBeLessThan(2000);
  });

  it("refuses a value that overflows when scaled with a sentence naming the row and the feature", async () => {
    const body = await refusedBody({ rows: [{ f1: 0.5, f2: 0.1 }, { f1: 0.2, f2: -1.7e308 }] });
    expect(body.error).toBe(
      'rows[1]: "f2" is -1.7e+308, too far from the values this model was trained on to be used (scaled, it is not a finite number).',
    );
    expect(body.fields).toEqual({ "rows.1": ['"f2" is out of range for this model'] });
  });

  it("still predicts ordinary rows", async () => {
    const out = await predictWithModel(modelId, { rows: [{ f1: 0.5, f2: 0.1 }, { f2: 1e6, f1: -3 }] });
    expect(out.probabilities).toHaveLength(2);
    expect(out.probabilities.every((p) => p >= 0 && p <= 1)).toBe(true);
  });
});
