import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import mongoose from "mongoose";
import { describe, expect, it } from "vitest";
import { ConflictError } from "@/lib/errors";
import { syntheticCsv } from "@/lib/ml/synthetic";
import { useTestEnv } from "@/lib/testing/env";
import { Dataset } from "@/models/Dataset";
import { datasetFacts, listDatasets, readDatasetText, saveDataset } from "./index";

const env = useTestEnv();

const sha256 = (data: string | Buffer) => crypto.createHash("sha256").update(data).digest("hex");

describe("storing datasets", () => {
  it("six concurrent uploads under one new name: one wins, the others are refused, and the winner's file stays", async () => {
    const texts = Array.from({ length: 6 }, (_, i) => syntheticCsv(400 + i * 10, 100 + i));
    const outcomes = await Promise.allSettled(texts.map((text) => saveDataset({ name: "contested", text })));
    const won = outcomes.flatMap((o, i) => (o.status === "fulfilled" ? [i] : []));
    expect(won).toHaveLength(1);
    for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(ConflictError);

    const docs = await Dataset.find({ path: "contested.csv" }).lean();
    expect(docs).toHaveLength(1);
    expect(docs[0].sha256).toBe(sha256(texts[won[0]]));
    expect(await readDatasetText("contested.csv")).toBe(texts[won[0]]);
    expect((await listDatasets()).map((d) => d.path)).toContain("contested.csv");
    // No loser left a file behind, temporary or not.
    expect(fs.readdirSync(env.dataDir).filter((f) => f.includes("contested") || f.startsWith(".tmp-"))).toHaveLength(1);
  });

  it("the same content again under the same name is answered with the stored dataset", async () => {
    const text = syntheticCsv(50, 3);
    const first = await saveDataset({ name: "again", text });
    const second = await saveDataset({ name: "again", text });
    expect(second).toEqual(first);
    await expect(saveDataset({ name: "again", text: syntheticCsv(50, 4) })).rejects.toBeInstanceOf(ConflictError);
  });
});

describe("what a crash leaves behind", () => {
  const hoursAgo = (h: number) => new Date(Date.now() - h * 60 * 60 * 1000);

  /** The document an upload inserts to claim its name, as a crash before it finished would leave it. */
  async function abandonedClaim(name: string, age: Date, withFile: boolean) {
    const id = new mongoose.Types.ObjectId();
    const file = `${name}~${String(id)}.csv`;
    const text = syntheticCsv(40, 8);
    if (withFile) fs.writeFileSync(path.join(env.dataDir, file), text);
    await Dataset.collection.insertOne({ _id: id, path: `${name}.csv`, file, state: "pending", columns: ["f1"], rows: 40, bytes: text.length, sha256: sha256(text), createdAt: age, updatedAt: age });
    return { id, file };
  }

  it("a claimed name whose upload never finished is no dataset: not listed, not readable, not usable", async () => {
    await abandonedClaim("half-done", new Date(), true);
    expect((await listDatasets()).map((d) => d.path)).not.toContain("half-done.csv");
    await expect(readDatasetText("half-done.csv")).rejects.toThrow(/does not exist; upload it again/);
    await expect(datasetFacts("half-done.csv")).rejects.toThrow(/does not exist; upload it again/);
    // While it may still be finishing, the name stays taken.
    await expect(saveDataset({ name: "half-done", text: syntheticCsv(40, 9) })).rejects.toThrow(/being saved right now/);
  });

  it("an abandoned claim is taken over by the next upload, which removes the file only that claim wrote", async () => {
    const stale = await abandonedClaim("taken-over", hoursAgo(2), true);
    const text = syntheticCsv(60, 10);
    const info = await saveDataset({ name: "taken-over", text });
    expect(info).toMatchObject({ path: "taken-over.csv", rows: 60 });
    expect(await readDatasetText("taken-over.csv")).toBe(text);
    expect(fs.existsSync(path.join(env.dataDir, stale.file))).toBe(false);
    expect(await Dataset.countDocuments({ path: "taken-over.csv" })).toBe(1);
  });
});
