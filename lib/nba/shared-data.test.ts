import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildFeatureTable, NBA_FEATURE_COLUMNS, REST_DAYS_CAP, type FeatureRow } from "@/lib/nba/features";
import { findSharedGamesCsv, parseGamesCsv, type Game } from "@/lib/nba/games";

/**
 * Checks on the real 1947-2016 history. The file lives outside the repository
 * and may be absent (fresh clone, CI), so these tests skip rather than fail then.
 */
const projectRoot = path.resolve(__dirname, "../..");
const csvPath = findSharedGamesCsv();
const title = csvPath
  ? `shared NBA history (${csvPath})`
  : "shared NBA history — SKIPPED: ../shared/data/nba_games_1947_2016.csv not found (set NBA_GAMES_CSV to run these)";

/** A deliberately naive recomputation for one team before one game, to cross-check the fast one. */
function naiveTeamView(byTeam: Map<string, Game[]>, row: FeatureRow, team: string) {
  const before = (byTeam.get(team) ?? []).filter((g) => g.date < row.date);
  const diffs = before.map((g) => (g.team1 === team ? g.score1 - g.score2 : g.score2 - g.score1));
  const last10 = diffs.slice(-10);
  const thisSeason = before.filter((g) => g.season === row.season);
  const seasonWins = thisSeason.filter((g) => (g.team1 === team ? g.score1 > g.score2 : g.score2 > g.score1)).length;
  const day = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
  return {
    rest: before.length ? Math.min(day(row.date) - day(before.at(-1)!.date), REST_DAYS_CAP) : REST_DAYS_CAP,
    rollPd: last10.length ? last10.reduce((a, b) => a + b, 0) / last10.length : 0,
    rollWin: last10.length ? last10.filter((d) => d > 0).length / last10.length : 0.5,
    seasonGames: thisSeason.length,
    seasonWinPct: thisSeason.length ? seasonWins / thisSeason.length : 0.5,
  };
}

describe.skipIf(!csvPath)(title, () => {
  const text = csvPath ? fs.readFileSync(csvPath, "utf8") : "";

  it("parses every game and builds one finite feature row per valid game, in seconds", () => {
    const t0 = performance.now();
    const { games, badRows } = parseGamesCsv(text);
    const table = buildFeatureTable(games);
    const seconds = (performance.now() - t0) / 1000;

    const dataLines = text.split("\n").filter((l) => l.trim() !== "").length - 1;
    expect(games.length + badRows.length).toBe(dataLines);
    expect(badRows.length).toBeLessThan(games.length / 100);
    expect(table.rows).toHaveLength(games.length);
    for (const row of table.rows) {
      for (const c of NBA_FEATURE_COLUMNS) {
        if (!Number.isFinite(row[c])) throw new Error(`${row.date} ${row.team1}-${row.team2}: ${c} is ${row[c]}`);
      }
    }
    for (let i = 1; i < table.rows.length; i++) expect(table.rows[i].date >= table.rows[i - 1].date).toBe(true);
    expect(seconds).toBeLessThan(10);
  });

  it("agrees with a naive recomputation on a sample of games", () => {
    const { games } = parseGamesCsv(text);
    const history = games.slice().sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    const byTeam = new Map<string, Game[]>();
    for (const g of history) {
      for (const t of [g.team1, g.team2]) {
        if (!byTeam.has(t)) byTeam.set(t, []);
        byTeam.get(t)!.push(g);
      }
    }
    const rows = buildFeatureTable(games).rows;
    const step = Math.max(1, Math.floor(rows.length / 400));
    for (let i = 0; i < rows.length; i += step) {
      const row = rows[i];
      const home = naiveTeamView(byTeam, row, row.team1);
      const away = naiveTeamView(byTeam, row, row.team2);
      const where = `${row.date} ${row.team1}-${row.team2}`;
      expect([row.rest_days_1, row.rest_days_2], where).toEqual([home.rest, away.rest]);
      expect([row.season_games_1, row.season_games_2], where).toEqual([home.seasonGames, away.seasonGames]);
      expect(row.roll_pd_1, where).toBeCloseTo(home.rollPd, 9);
      expect(row.roll_pd_2, where).toBeCloseTo(away.rollPd, 9);
      expect(row.roll_win_1, where).toBeCloseTo(home.rollWin, 9);
      expect(row.roll_win_2, where).toBeCloseTo(away.rollWin, 9);
      expect(row.season_win_pct_1, where).toBeCloseTo(home.seasonWinPct, 9);
      expect(row.season_win_pct_2, where).toBeCloseTo(away.seasonWinPct, 9);
    }
  });
});
