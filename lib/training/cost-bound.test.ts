import { afterEach, describe, expect, it } from "vitest";
import { POST as postModel } from "@/app/api/models/route";
import { resetConfigForTests } from "@/lib/config";
import { ValidationError } from "@/lib/errors";
import { estimateTrainingSeconds } from "@/lib/ml/algorithms";
import { useTestEnv } from "@/lib/testing/env";
import { asRole, requestWith } from "@/lib/testing/identities";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { Dataset } from "@/models/Dataset";
import { Job } from "@/models/Job";
import { Lock } from "@/models/Lock";
import { ModelConfig } from "@/models/ModelConfig";
import { createModelConfig, requestTraining, updateModelConfig } from "./service";

useTestEnv();

function setLimit(seconds: number | null) {
  if (seconds === null) delete process.env.MAX_TRAINING_SECONDS;
  else process.env.MAX_TRAINING_SECONDS = String(seconds);
  resetConfigForTests();
}
afterEach(() => setLimit(null));

/** Slow by the library engine's O(rows^2) cost; the fast engine would fit it in about a second. */
const HEAVY = { n_estimators: 300, max_depth: 12, max_samples: 5000, engine: "ml-random-forest" };
const LIGHT = { n_estimators: 10, max_depth: 4, max_samples: 200 };

async function rejection(p: Promise<unknown>): Promise<ValidationError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidationError);
  return err as ValidationError;
}

describe("MAX_TRAINING_SECONDS", () => {
  it("refuses to create a config whose estimated training time exceeds it, quoting the estimate", async () => {
    const ds = await saveSyntheticDataset("cost-create", 3000);
    setLimit(30);
    const spec = { name: "too-slow", algorithm: "random_forest", hyperparameters: HEAVY, features: ["f1", "f2", "f3"], target: "label", training_csv: ds.path };
    const estimate = estimateTrainingSeconds("random_forest", HEAVY, 3000, 3);
    expect(estimate).toBeGreaterThan(30);
    const err = await rejection(createModelConfig(spec));
    const quoted = estimate < 120 ? `${Math.round(estimate)} s` : `${Math.round(estimate / 60)} min`;
    expect(err.message).toContain(`about ${quoted} on 3000 rows`);
    expect(err.message).toContain("MAX_TRAINING_SECONDS");
    expect(err.fields.hyperparameters?.[0]).toMatch(/limit 30 s/);
    expect(await ModelConfig.countDocuments({ name: "too-slow" })).toBe(0);

    // The API answers 400 with the field error.
    const req = requestWith(await asRole("editor"));
    const res = await postModel(req("http://test/api/models", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(spec) }), undefined as never);
    expect(res.status).toBe(400);
    expect((await res.json()).fields.hyperparameters).toBeDefined();

    // Under a higher limit the same config is accepted.
    setLimit(estimate + 1);
    expect((await createModelConfig(spec)).name).toBe("too-slow");
  });

  it("refuses an update that would exceed it and leaves the config as it was", async () => {
    const ds = await saveSyntheticDataset("cost-update", 3000);
    const model = await createModelConfig({ name: "light", algorithm: "random_forest", hyperparameters: LIGHT, features: ["f1", "f2"], target: "label", training_csv: ds.path });
    setLimit(30);
    const err = await rejection(updateModelConfig(model.id, { hyperparameters: HEAVY }));
    expect(Object.keys(err.fields)).toEqual(["hyperparameters"]);
    expect((await ModelConfig.findById(model.id).lean())?.hyperparameters).toMatchObject(LIGHT);
    expect(await Lock.countDocuments({})).toBe(0);
  });

  it("refuses a train request by the dataset's recorded row count, queuing nothing", async () => {
    const ds = await saveSyntheticDataset("cost-train", 300);
    const model = await createModelConfig({ name: "grows", algorithm: "random_forest", hyperparameters: { ...LIGHT, max_samples: 20_000, engine: "ml-random-forest" }, features: ["f1", "f2"], target: "label", training_csv: ds.path });
    setLimit(30);
    // The file is small, but the record says it now has 200,000 rows (it was replaced): the estimate follows the record.
    await Dataset.updateOne({ path: ds.path }, { $set: { rows: 200_000 } });
    const err = await rejection(requestTraining(model.id));
    expect(err.message).toContain("on 200000 rows");
    expect(err.fields.hyperparameters).toBeDefined();
    expect(await Job.countDocuments({ target_id: model.id })).toBe(0);
    expect(await Lock.countDocuments({})).toBe(0);
    expect((await ModelConfig.findById(model.id).lean())?.status).toBe("untrained");
    await Dataset.updateOne({ path: ds.path }, { $set: { rows: 300 } });
    expect((await requestTraining(model.id)).status).toBe("queued");
  });
});
