import { describe, expect, it } from "vitest";
import { useTestEnv } from "@/lib/testing/env";
import { Ensemble } from "@/models/Ensemble";
import { ModelConfig } from "@/models/ModelConfig";
import { readStamp, SERVING_STAMP_ID } from "@/models/ServingStamp";

useTestEnv();

describe("the serving stamp", () => {
  it("moves with every kind of write to a model config or an ensemble, before the write returns", async () => {
    const moved = async (write: () => Promise<unknown>) => {
      const before = await readStamp(SERVING_STAMP_ID);
      await write();
      return (await readStamp(SERVING_STAMP_ID)) !== before;
    };
    const doc = new ModelConfig({ name: "stamp-a", algorithm: "logistic_regression", features: ["f1"], target: "label", training_csv: "x.csv" });
    expect(await moved(() => doc.save())).toBe(true);
    expect(await moved(() => ModelConfig.updateOne({ _id: doc._id }, { $set: { run_id: "r1" } }))).toBe(true);
    expect(await moved(() => ModelConfig.findOneAndUpdate({ _id: doc._id }, { $set: { run_id: "r2" } }))).toBe(true);
    expect(await moved(() => ModelConfig.findByIdAndUpdate(doc._id, { $set: { run_id: "r3" } }))).toBe(true);
    expect(await moved(() => ModelConfig.updateMany({ _id: doc._id }, { $set: { run_id: "r4" } }))).toBe(true);
    expect(await moved(() => ModelConfig.bulkWrite([{ updateOne: { filter: { _id: doc._id }, update: { $set: { run_id: "r5" } } } }]))).toBe(true);
    expect(await moved(() => Ensemble.updateMany({ base_model_ids: doc._id }, { $set: { stale: true } }))).toBe(true);
    expect(await moved(() => ModelConfig.deleteOne({ _id: doc._id }))).toBe(true);
    const [many] = await ModelConfig.insertMany([{ name: "stamp-b", algorithm: "logistic_regression", features: ["f1"], target: "label", training_csv: "x.csv" }]);
    expect(await moved(() => ModelConfig.findByIdAndDelete(many._id))).toBe(true);
  });
});
