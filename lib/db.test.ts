import mongoose, { Schema } from "mongoose";
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@/lib/testing/env";
import { connectionSettled, findByIds } from "./db";

useTestEnv();

const Thing = mongoose.model(
  "RoundTripThing",
  new Schema({ name: { type: String, required: true, unique: true }, score: { type: Number, min: 0 } }),
);

describe("mongoose against the real embedded server", () => {
  it("creates, reads and updates a document", async () => {
    await Thing.init();
    const created = await Thing.create({ name: "celtics", score: 1 });
    const read = await Thing.findById(created._id).lean();
    expect(read?.name).toBe("celtics");
    await Thing.updateOne({ _id: created._id }, { $set: { score: 7 } });
    const updated = await Thing.findById(created._id).lean();
    expect(updated?.score).toBe(7);
  });

  it("rejects a duplicate of a unique field", async () => {
    await Thing.init();
    await Thing.create({ name: "lakers" });
    await expect(Thing.create({ name: "lakers" })).rejects.toMatchObject({ code: 11000 });
    expect(await Thing.countDocuments({ name: "lakers" })).toBe(1);
  });

  it("finds a handful of documents by id, in the order asked, without the missing ones and with a projection", async () => {
    await Thing.init();
    const [a, , c] = await Thing.create([{ name: "spurs", score: 1 }, { name: "suns", score: 2 }, { name: "heat", score: 3 }]);
    const missing = new mongoose.Types.ObjectId();
    const found = await findByIds<{ _id: mongoose.Types.ObjectId; name?: string; score?: number }>(Thing, [c._id, missing, a._id], { score: 1 });
    expect(found.map((d) => String(d._id))).toEqual([String(c._id), String(a._id)]);
    expect(found.map((d) => d.score)).toEqual([3, 1]);
    expect(found[0].name).toBeUndefined();
    expect(await findByIds(Thing, [])).toEqual([]);
  });

  it("enforces schema validation before writing", async () => {
    await expect(Thing.create({ name: "bulls", score: -1 })).rejects.toThrow(/score/);
    expect(await Thing.countDocuments({ name: "bulls" })).toBe(0);
  });
});

describe("connectionSettled", () => {
  it("returns once every registered model's collection and indexes exist", async () => {
    const Late = mongoose.model("SettledThing", new Schema({ code: { type: String, unique: true }, at: { type: Date, index: true } }));
    await connectionSettled();
    const names = (await Late.collection.indexes()).map((i) => Object.keys(i.key).join(","));
    expect(names).toEqual(expect.arrayContaining(["_id", "code", "at"]));
  });
});
