import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConflictError } from "@/lib/errors";
import { syntheticCsv } from "@/lib/ml/synthetic";
import { useTestEnv } from "@/lib/testing/env";
import { Dataset } from "@/models/Dataset";
import { listDatasets, readDatasetText, saveDataset } from "./index";

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
