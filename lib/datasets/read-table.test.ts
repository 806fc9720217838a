import fs from "node:fs";
import mongoose from "mongoose";
import { describe, expect, it, vi } from "vitest";
import { useTestEnv } from "@/lib/testing/env";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { Dataset } from "@/models/Dataset";
import { bumpServingStamp } from "@/models/ServingStamp";
import { resolveDatasetPath } from "./files";
import { readDatasetContent, readDatasetTable } from "./read";
import { removeDataset } from "./remove";
import { saveDataset } from "./store";

useTestEnv();

describe("readDatasetTable", () => {
  it("parses a dataset once per content, and reads the file again once it changed on disk", async () => {
    const ds = await saveSyntheticDataset("table-once", 120, 3);
    const first = await readDatasetTable(ds.path);
    expect(first.rows).toHaveLength(120);
    // The same content again: the very same parsed table, no second parse.
    expect(await readDatasetTable(ds.path)).toBe(first);

    const doc = await Dataset.findOne({ path: ds.path }).lean();
    const file = resolveDatasetPath(doc!.file ?? doc!.path, "training_csv");
    fs.appendFileSync(file, "1,2,3,4,1\n");
    await expect(readDatasetTable(ds.path)).rejects.toThrow(/changed on disk/);
  });

  it("looks a dataset's document up once while no dataset is written, and sees a delete and a new upload under the same name at once", async () => {
    const ds = await saveSyntheticDataset("doc-once", 60, 3);
    const finds = vi.spyOn(mongoose.mongo.Collection.prototype, "findOne");
    const datasetReads = () => finds.mock.contexts.filter((c) => (c as { collectionName: string }).collectionName === "datasets").length;
    try {
      const first = await readDatasetContent(ds.path);
      const afterFirst = datasetReads();
      expect(afterFirst).toBeGreaterThan(0);
      expect((await readDatasetContent(ds.path)).sha256).toBe(first.sha256);
      expect(datasetReads()).toBe(afterFirst);
      // A write to models or ensembles (the serving stamp) does not make it read again: a build's own writes do not.
      await bumpServingStamp();
      await readDatasetContent(ds.path);
      expect(datasetReads()).toBe(afterFirst);

      // Another dataset written: the stamp moved, so the document is read again (and is still the same).
      await saveSyntheticDataset("doc-once-other", 30, 4);
      expect((await readDatasetContent(ds.path)).sha256).toBe(first.sha256);
      expect(datasetReads()).toBeGreaterThan(afterFirst);

      // Deleted: refused at once; uploaded again with other rows: the new content at once.
      await removeDataset(ds.path);
      await expect(readDatasetContent(ds.path)).rejects.toThrow(/does not exist/);
      await saveDataset({ name: ds.path, text: "f1,f2,label\n1,2,1\n3,4,0\n" });
      const again = await readDatasetContent(ds.path);
      expect(again.sha256).not.toBe(first.sha256);
      expect(again.table.rows).toHaveLength(2);
    } finally {
      finds.mockRestore();
    }
  });
});
