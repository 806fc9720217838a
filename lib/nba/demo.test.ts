import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { createClassifier, estimateTrainingSeconds } from "@/lib/ml/algorithms";
import { buildDemoDataset, DEMO_BASE_MODELS, DEMO_ENSEMBLE } from "@/lib/nba/demo";
import { NBA_FEATURE_COLUMNS } from "@/lib/nba/features";

describe("buildDemoDataset", () => {
  it("builds about three seasons of feature rows with the target, the same every time", () => {
    const demo = buildDemoDataset();
    expect(demo.rows).toBeGreaterThan(3600);
    expect(demo.rows).toBeLessThan(4200);
    expect(demo.columns).toEqual(["date", "season", "team1", "team2", ...NBA_FEATURE_COLUMNS, "home_win"]);

    const parsed = Papa.parse<Record<string, string>>(demo.csv.trimEnd(), { header: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.meta.fields).toEqual(demo.columns);
    expect(parsed.data).toHaveLength(demo.rows);
    for (const row of parsed.data.slice(0, 50)) {
      for (const c of NBA_FEATURE_COLUMNS) expect(Number.isFinite(Number(row[c])), c).toBe(true);
      expect(["0", "1"]).toContain(row.home_win);
    }
    expect(buildDemoDataset().csv).toBe(demo.csv);
    expect(buildDemoDataset({ seed: 1 }).csv).not.toBe(demo.csv);
  });

  it("scales with the number of seasons", () => {
    const one = buildDemoDataset({ seasons: 1 });
    expect(one.rows).toBeGreaterThan(1200);
    expect(one.rows).toBeLessThan(1400);
  });
});

describe("demo models", () => {
  it("are three differently-featured base models over known columns, predicting home_win", () => {
    expect(DEMO_BASE_MODELS).toHaveLength(3);
    expect(new Set(DEMO_BASE_MODELS.map((m) => m.name)).size).toBe(3);
    expect(new Set(DEMO_BASE_MODELS.map((m) => m.features.join())).size).toBe(3);
    for (const m of DEMO_BASE_MODELS) {
      expect(m.target).toBe("home_win");
      expect(m.features.length).toBeGreaterThan(0);
      expect(new Set(m.features).size).toBe(m.features.length);
      for (const f of m.features) expect(NBA_FEATURE_COLUMNS as readonly string[]).toContain(f);
    }
    const forests = DEMO_BASE_MODELS.filter((m) => m.algorithm === "random_forest");
    for (const f of forests) expect(f.hyperparameters.n_estimators).toBeLessThanOrEqual(50);
    expect(DEMO_ENSEMBLE).toEqual({ name: "Demo stack", meta_model_type: "logistic_regression" });
  });
});

describe("demo models against the trainer", () => {
  it("use hyperparameters the trainer accepts", () => {
    for (const m of DEMO_BASE_MODELS) expect(() => createClassifier(m.algorithm, m.hyperparameters, 42), m.name).not.toThrow();
  });

  it("are expected to train in seconds, so the first start stays quick", () => {
    const rows = buildDemoDataset().rows;
    for (const m of DEMO_BASE_MODELS) expect(estimateTrainingSeconds(m.algorithm, m.hyperparameters, rows, m.features.length), m.name).toBeLessThan(3);
  });
});
