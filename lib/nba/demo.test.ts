import { describe, expect, it } from "vitest";
import { createClassifier, estimateTrainingSeconds } from "@/lib/ml/algorithms";
import { buildDemoGames, DEMO_BASE_MODELS, DEMO_ENSEMBLE } from "@/lib/nba/demo";
import { buildFeatureTable, FORECAST_FEATURES } from "@/lib/nba/features";
import { parseGameResultsCsv } from "@/lib/nba/games";

describe("buildDemoGames", () => {
  it("writes four seasons of results only (no published Elo), the same every time", () => {
    const demo = buildDemoGames();
    expect(demo.games).toBeGreaterThan(4800);
    expect(demo.games).toBeLessThan(5600);
    expect(demo.csv.split("\n")[0]).toBe("date,season,team1,team2,score1,score2,neutral,playoff");
    const parsed = parseGameResultsCsv(demo.csv);
    expect(parsed.badRows).toEqual([]);
    expect(parsed.fiveThirtyEightElo).toBe(false);
    expect(parsed.games).toHaveLength(demo.games);
    expect(demo.baseSeasons).toEqual({ from: 2001, to: 2003 });
    expect(demo.metaSeasons).toEqual({ from: 2004, to: 2004 });
    expect(buildDemoGames().csv).toBe(demo.csv);
    expect(buildDemoGames({ seed: 1 }).csv).not.toBe(demo.csv);
  });

  it("gives feature tables of about 3,900 base games and 1,300 meta games, with the product's own Elo", () => {
    const demo = buildDemoGames();
    const { games } = parseGameResultsCsv(demo.csv);
    const base = buildFeatureTable(games, { fromSeason: demo.baseSeasons.from, toSeason: demo.baseSeasons.to });
    const meta = buildFeatureTable(games, { fromSeason: demo.metaSeasons.from, toSeason: demo.metaSeasons.to });
    expect(base.rows.length).toBeGreaterThan(3600);
    expect(base.rows.length).toBeLessThan(4200);
    expect(meta.rows.length).toBeGreaterThan(1200);
    expect(meta.rows.length).toBeLessThan(1400);
    expect(base.columns).toEqual(["date", "season", "team1", "team2", ...FORECAST_FEATURES, "home_win"]);
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
      // Only features a forecast can compute, so the seeded ensemble forecasts any date.
      for (const f of m.features) expect(FORECAST_FEATURES as readonly string[]).toContain(f);
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
    const demo = buildDemoGames();
    const rows = buildFeatureTable(parseGameResultsCsv(demo.csv).games, { fromSeason: demo.baseSeasons.from, toSeason: demo.baseSeasons.to }).rows.length;
    for (const m of DEMO_BASE_MODELS) expect(estimateTrainingSeconds(m.algorithm, m.hyperparameters, rows, m.features.length), m.name).toBeLessThan(3);
  });
});
