import { monitorEventLoopDelay } from "node:perf_hooks";
import { beforeAll, describe, expect, it } from "vitest";
import { readDatasetText } from "@/lib/datasets";
import { getEnsemble } from "@/lib/ensemble/service";
import { predictWithEnsemble } from "@/lib/ensemble/load";
import { ValidationError } from "@/lib/errors";
import { parseCsv } from "@/lib/ml/csv";
import { FORECAST_FEATURES } from "@/lib/nba/features";
import { gameResultsToCsv, type Game } from "@/lib/nba/games";
import { generateGames } from "@/lib/nba/generator";
import { ELO_MODEL_FEATURES, FORM_MODEL_FEATURES, forecastSetup, type ForecastSetup } from "@/lib/testing/forecast-fixtures";
import { useTestEnv } from "@/lib/testing/env";
import { Dataset } from "@/models/Dataset";
import { buildFeatureDataset, gamesDataset, listAllDatasets, storeDatasetText } from "./datasets";
import { forecastsToCsv, forecastSchedule, parseScheduleCsv } from "./schedule";
import { forecastGames } from "./service";

useTestEnv();

let setup: ForecastSetup;
beforeAll(async () => {
  setup = await forecastSetup("lib");
});

describe("games datasets", () => {
  it("are recognised from the header, checked row by row and described once at upload", async () => {
    const ds = await gamesDataset(setup.gamesPath);
    const sorted = setup.games.map((g) => g.date).sort();
    expect(ds.kind).toBe("games");
    expect(ds.facts).toMatchObject({ games: setup.games.length, first_date: sorted[0], last_date: sorted.at(-1), first_season: 2001, last_season: 2003, fivethirtyeight_elo: false });
    expect(ds.facts.teams.map((t) => t.code)).toEqual([...new Set(setup.games.flatMap((g) => [g.team1, g.team2]))].sort());
    const listed = (await listAllDatasets()).find((d) => d.path === setup.gamesPath);
    expect(listed).toMatchObject({ kind: "games", games: { games: setup.games.length } });
    expect((await listAllDatasets()).find((d) => d.path === setup.basePath)).toMatchObject({ kind: "table" });
    expect((await listAllDatasets()).find((d) => d.path === setup.basePath)?.games).toBeUndefined();
  });

  it("refuse a file with a bad row, naming its line, unless stored as a plain table", async () => {
    const lines = gameResultsToCsv(setup.games.slice(0, 30)).split("\n");
    lines[5] = lines[5].replace(/^\d{4}-\d{2}-\d{2}/, "2001-02-30");
    const text = lines.join("\n");
    await expect(storeDatasetText({ name: "bad-games", text })).rejects.toThrow(/1 bad row.*Line 6: date is not a date.*upload it with kind "table"/s);
    expect(await Dataset.countDocuments({ path: "bad-games.csv" })).toBe(0);
    const table = await storeDatasetText({ name: "bad-games", text }, "table");
    expect(table.kind).toBe("table");
    await expect(gamesDataset("bad-games.csv")).rejects.toThrow(/"bad-games.csv" is not a games dataset/);
    await expect(storeDatasetText({ name: "no-games", text: "a,b\n1,2\n" }, "games")).rejects.toThrow(/lacks date, season, team1, team2, score1, score2/);
    await expect(storeDatasetText({ name: "x", text: "a\n1\n" }, "spreadsheet")).rejects.toThrow(/kind is not valid/);
  });

  it("refuse a season that goes backwards for a team, since its ratings could not be replayed", async () => {
    const games: Game[] = [setup.games[0], { ...setup.games[1], date: "2005-01-01", season: 2000, team1: setup.games[0].team1 }];
    await expect(storeDatasetText({ name: "backwards", text: gameResultsToCsv(games) })).rejects.toThrow(/season goes backwards/);
  });

  it("build feature tables with the same code as nba:features, own Elo included", async () => {
    const base = parseCsv(await readDatasetText(setup.basePath));
    expect(base.columns).toEqual(["date", "season", "team1", "team2", ...FORECAST_FEATURES, "home_win"]);
    const seasons = new Set(base.rows.map((r) => r[1]));
    expect([...seasons].sort()).toEqual(["2001", "2002"]);
    await expect(buildFeatureDataset({ games_dataset: setup.gamesPath, name: "none", from_season: 2010 })).rejects.toThrow(/No game of ".*" falls in seasons 2010–…; it has seasons 2001–2003/);
    await expect(buildFeatureDataset({ games_dataset: setup.basePath, name: "nope" })).rejects.toThrow(/is not a games dataset/);
  });
});

describe("forecastGames", () => {
  it("answers P(team1 wins), each base model's probability and the features used, as predict would from the same rows", async () => {
    const last = setup.games.at(-1) as Game;
    const answer = await forecastGames(setup.ensembleId, {
      games_dataset: setup.gamesPath,
      games: [
        { date: "2004-11-01", team1: last.team1, team2: last.team2 },
        { date: "2004-11-01", team1: last.team2, team2: last.team1, neutral: true },
      ],
    });
    expect(answer).toMatchObject({ ensemble_id: setup.ensembleId, games_dataset: setup.gamesPath, ensemble_name: "lib-stack" });
    expect(answer.forecasts).toHaveLength(2);
    const [home, neutral] = answer.forecasts;
    expect(home).toMatchObject({ date: "2004-11-01", season: 2005, team1: last.team1, team2: last.team2, neutral: 0, playoff: 0 });
    expect(neutral.neutral).toBe(1);
    expect(home.base_models.map((b) => b.model_id)).toEqual(setup.modelIds);
    expect(home.base_models.map((b) => b.name)).toEqual(["lib-model-1", "lib-model-2"]);
    expect(Object.keys(home.features).sort()).toEqual([...new Set([...ELO_MODEL_FEATURES, ...FORM_MODEL_FEATURES])].sort());
    for (const f of answer.forecasts) {
      expect(f.probability).toBeGreaterThan(0);
      expect(f.probability).toBeLessThan(1);
      expect(f.elo.probability).toBe(f.features.own_elo_prob1);
    }
    // Home court counts: the same two teams at home are given better chances than on a neutral floor, the other way round.
    expect(home.elo.probability).toBeGreaterThan(1 - neutral.elo.probability);
    const predicted = await predictWithEnsemble(setup.ensembleId, { rows: answer.forecasts.map((f) => f.features) });
    expect(predicted.probabilities).toEqual(answer.forecasts.map((f) => f.probability));
  });

  it("is leak-free: changing any result on or after the date changes no forecast for that date", async () => {
    const date = setup.games[Math.floor(setup.games.length * 0.6)].date;
    const [a, b] = [setup.games[0].team1, setup.games[0].team2];
    const request = (path: string) => ({ games_dataset: path, games: [{ date, team1: a, team2: b }, { date, team1: b, team2: a, playoff: 1 }] });
    const swap = (keep: (g: Game) => boolean) => setup.games.map((g) => (keep(g) ? g : { ...g, score1: g.score2 + 3, score2: g.score1 }));

    await storeDatasetText({ name: "later-changed", text: gameResultsToCsv(swap((g) => g.date < date)) });
    await storeDatasetText({ name: "earlier-changed", text: gameResultsToCsv(swap((g) => g.date >= date || (g.team1 !== a && g.team2 !== a))) });
    const original = await forecastGames(setup.ensembleId, request(setup.gamesPath));
    const later = await forecastGames(setup.ensembleId, request("later-changed.csv"));
    expect(later.forecasts).toEqual(original.forecasts);
    const earlier = await forecastGames(setup.ensembleId, request("earlier-changed.csv"));
    expect(earlier.forecasts[0].probability).not.toBe(original.forecasts[0].probability);
  });

  it("records calibration and log loss by season against the Elo baseline on the build's held-out rows", async () => {
    const view = await getEnsemble(setup.ensembleId);
    const holdout = view.runs.at(-1)?.holdout;
    expect(holdout).toBeTruthy();
    if (!holdout) return;
    const metaRows = parseCsv(await readDatasetText(setup.metaPath)).rows.length;
    expect(holdout.n).toBe(Math.round(metaRows * 0.25));
    expect(holdout.baseline?.column).toBe("own_elo_prob1");
    expect(holdout.calibration.ensemble.reduce((s, b) => s + b.n, 0)).toBe(holdout.n);
    expect(holdout.calibration.baseline?.reduce((s, b) => s + b.n, 0)).toBe(holdout.n);
    expect(holdout.seasons.map((s) => s.season)).toEqual([2003]);
    expect(holdout.seasons[0].log_loss).toBeCloseTo(holdout.log_loss, 12);
    expect(holdout.seasons[0].baseline_log_loss).toBeCloseTo(holdout.baseline?.log_loss ?? NaN, 12);
    expect(holdout.log_loss).toBeCloseTo(view.runs.at(-1)?.metrics?.log_loss ?? NaN, 12);
    for (const bin of holdout.calibration.ensemble) {
      expect(bin.mean_predicted).toBeGreaterThanOrEqual(bin.from);
      expect(bin.mean_predicted).toBeLessThanOrEqual(bin.to);
    }
  });
});

describe("a long history", () => {
  it("is read, described and replayed for a forecast off the event loop", async () => {
    const history = generateGames({ seed: 77, seasons: 20 });
    const text = gameResultsToCsv(history);
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    const t0 = performance.now();
    const stored = await storeDatasetText({ name: "long-history", text });
    const answer = await forecastGames(setup.ensembleId, { games_dataset: stored.path, games: [{ date: "2021-11-01", team1: "ASH", team2: "BAY" }] });
    const elapsedMs = performance.now() - t0;
    histogram.disable();
    expect(stored).toMatchObject({ kind: "games", rows: history.length });
    expect(answer.forecasts[0].season).toBe(2022);
    // Parsing and replaying ~26,000 games takes seconds of CPU; none of it may stall requests.
    // Compared with the work's own time, not a fixed bound that a busy neighbour can exceed.
    expect(histogram.max / 1e6).toBeLessThan(elapsedMs / 4);
  });
});

describe("schedules", () => {
  it("forecast every row of a schedule CSV and write the answers back as CSV", async () => {
    const [a, b, c] = [...new Set(setup.games.map((g) => g.team1))];
    const text = `date,team1,team2,neutral\n2004-11-01,${a},${b},\n\n2004-11-02,${c},${a},1\n`;
    expect(parseScheduleCsv(text).map((r) => r.line)).toEqual([2, 4]);
    const answer = await forecastSchedule(setup.ensembleId, setup.gamesPath, text);
    const csv = forecastsToCsv(answer).trimEnd().split("\n");
    expect(csv[0]).toBe("date,season,team1,team2,neutral,playoff,p_team1_wins,elo_p_team1_wins,p_team1_wins lib-model-1,p_team1_wins lib-model-2");
    expect(csv).toHaveLength(3);
    expect(csv[2].split(",").slice(0, 6)).toEqual(["2004-11-02", "2005", c, a, "1", "0"]);
    expect(Number(csv[1].split(",")[6])).toBeCloseTo(answer.forecasts[0].probability, 6);
  });

  it("name the schedule's line when a game is refused", async () => {
    const text = `date,team1,team2\n2004-11-01,${setup.games[0].team1},${setup.games[0].team2}\n2004-11-02,NOPE,${setup.games[0].team1}\n`;
    await expect(forecastSchedule(setup.ensembleId, setup.gamesPath, text)).rejects.toThrow(/^Line 3 of the schedule: team "NOPE" is not in the games dataset/);
    await expect(forecastSchedule(setup.ensembleId, setup.gamesPath, "team1,team2\nA,B\n")).rejects.toThrow(/lacks date/);
    await expect(forecastSchedule(setup.ensembleId, setup.gamesPath, "date,team1,team2,playoff\n2004-11-01,A,B,yes\n")).rejects.toThrow(ValidationError);
  });
});
