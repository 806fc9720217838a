import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@/lib/testing/env";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { Dataset } from "@/models/Dataset";
import { resolveDatasetPath } from "./files";
import { readDatasetTable } from "./read";

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
});
