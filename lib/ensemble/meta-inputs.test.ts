import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clearCaches } from "@/lib/cache";
import { resetConfigForTests } from "@/lib/config";
import { parseCsv } from "@/lib/ml/csv";
import { holdoutColumns, summarizeHoldout } from "./holdout";
import { metaInputs } from "./meta-inputs";

// Season 2001's rows carry no valid own_elo_prob1 on row 1 (out of range), so the summary falls back to elo_prob1 there.
const CSV = [
  "season,own_elo_prob1,elo_prob1,f1,label",
  "2000,0.6,0.55,1.5,1",
  "2001,1.7,0.45,0.2,0",
  "2001,0.3,0.35,0.1,0",
  "2002.5,0.8,,2.5,1",
  "2002,0.7,0.65,2.2,1",
].join("\n");

let dir = "";
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "meta-inputs-"));
  process.env.CACHE_DIR = dir;
  resetConfigForTests();
});
afterAll(() => {
  delete process.env.CACHE_DIR;
  resetConfigForTests();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the meta rows' holdout columns", () => {
  it("hold each row's valid values and NaN for the rest, and summarise only rows whose values are all there", () => {
    const columns = holdoutColumns(parseCsv(CSV));
    expect(Array.from(columns.season!)).toEqual([2000, 2001, 2001, Number.NaN, 2002]);
    expect(columns.baselines.map((b) => b.column)).toEqual(["own_elo_prob1", "elo_prob1"]);
    expect(Array.from(columns.baselines[0].values)).toEqual([0.6, Number.NaN, 0.3, 0.8, 0.7]);
    expect(Array.from(columns.baselines[1].values)).toEqual([0.55, 0.45, 0.35, Number.NaN, 0.65]);

    const holdout = { rows: [0, 2, 4], y: [1, 0, 1], probabilities: [0.7, 0.2, 0.6] };
    const summary = summarizeHoldout(columns, holdout);
    expect(summary.baseline?.column).toBe("own_elo_prob1");
    expect(summary.seasons.map((s) => [s.season, s.n])).toEqual([[2000, 1], [2001, 1], [2002, 1]]);
    // Row 1's baseline is out of range and row 3 has no whole season: with them, no baseline of the first kind, no seasons.
    const other = summarizeHoldout(columns, { rows: [1, 3], y: [0, 1], probabilities: [0.4, 0.7] });
    expect(other.baseline).toBeNull();
    expect(other.seasons).toEqual([]);
    expect(summarizeHoldout(columns, { rows: [1, 2], y: [0, 0], probabilities: [0.4, 0.3] }).baseline?.column).toBe("elo_prob1");
  });

  it("come back from disk exactly as derived, for a process that never parses the CSV", async () => {
    // Enough rows to be training rows: the five above, four times.
    const [header, ...rows] = CSV.split("\n");
    const text = [header, ...rows, ...rows, ...rows, ...rows].join("\n");
    clearCaches();
    let parses = 0;
    const content = {
      sha256: "a".repeat(64),
      table: async () => {
        parses++;
        return parseCsv(text);
      },
    };
    const derived = await metaInputs(content, [], ["f1"], "label");
    expect(parses).toBeGreaterThan(0);
    clearCaches();
    parses = 0;
    const kept = await metaInputs(content, [], ["f1"], "label");
    expect(parses).toBe(0);
    expect(kept.y).toEqual([1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1]);
    expect(kept).toEqual(derived);
    const holdout = { rows: [0, 1, 2, 4, 17], y: [1, 0, 0, 1, 0], probabilities: [0.7, 0.4, 0.2, 0.6, 0.3] };
    const fromDisk = summarizeHoldout(kept.columns, holdout);
    expect(fromDisk.baseline?.column).toBe("elo_prob1");
    expect(fromDisk.seasons).toHaveLength(3);
    expect(fromDisk).toEqual(summarizeHoldout(holdoutColumns(parseCsv(text)), holdout));
  });
});
