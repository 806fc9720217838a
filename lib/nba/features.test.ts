import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { computeElo } from "@/lib/nba/elo";
import {
  buildFeatureTable,
  featurizeQueries,
  FORECAST_FEATURES,
  NBA_FEATURE_COLUMNS,
  seasonForDate,
  toCsv,
  type FeatureRow,
  type GameQuery,
  type QueryFeatureRow,
} from "@/lib/nba/features";
import type { Game, GameResult } from "@/lib/nba/games";
import { generateGames } from "@/lib/nba/generator";

function game(date: string, season: number, team1: string, team2: string, score1: number, score2: number): Game {
  return { date, season, neutral: 0, playoff: 0, team1, team2, elo1_pre: 1500, elo2_pre: 1480, elo_prob1: 0.6, score1, score2 };
}

/**
 * Three teams over two seasons. Expected values below are worked out by hand
 * with a rolling window of 2, so the window has to evict old games.
 */
const SCHEDULE: Game[] = [
  game("2000-11-01", 2001, "A", "B", 100, 90), // A +10 W, B -10 L
  game("2000-11-02", 2001, "C", "A", 95, 99), // C -4 L, A +4 W
  game("2000-11-04", 2001, "B", "C", 105, 100), // B +5 W, C -5 L
  game("2000-11-05", 2001, "A", "C", 90, 100), // A -10 L, C +10 W
  game("2001-11-01", 2002, "B", "A", 110, 100), // B +10 W, A -10 L
  game("2001-11-02", 2002, "C", "B", 100, 101), // C -1 L, B +1 W
];

type Expected = Pick<
  FeatureRow,
  | "rest_days_1" | "rest_days_2" | "b2b_1" | "b2b_2" | "roll_pd_1" | "roll_pd_2" | "roll_win_1" | "roll_win_2"
  | "season_win_pct_1" | "season_win_pct_2" | "season_games_1" | "season_games_2" | "home_win"
>;

// prettier-ignore
const EXPECTED_WINDOW_2: Expected[] = [
  // 1: both teams' first game: rested (10), no form (0 / 0.5), no season yet.
  { rest_days_1: 10, rest_days_2: 10, b2b_1: 0, b2b_2: 0, roll_pd_1: 0, roll_pd_2: 0, roll_win_1: 0.5, roll_win_2: 0.5, season_win_pct_1: 0.5, season_win_pct_2: 0.5, season_games_1: 0, season_games_2: 0, home_win: 1 },
  // 2: C new; A played yesterday (+10, W).
  { rest_days_1: 10, rest_days_2: 1, b2b_1: 0, b2b_2: 1, roll_pd_1: 0, roll_pd_2: 10, roll_win_1: 0.5, roll_win_2: 1, season_win_pct_1: 0.5, season_win_pct_2: 1, season_games_1: 0, season_games_2: 1, home_win: 0 },
  // 3: B last played 11-01 (-10, L); C last played 11-02 (-4, L).
  { rest_days_1: 3, rest_days_2: 2, b2b_1: 0, b2b_2: 0, roll_pd_1: -10, roll_pd_2: -4, roll_win_1: 0, roll_win_2: 0, season_win_pct_1: 0, season_win_pct_2: 0, season_games_1: 1, season_games_2: 1, home_win: 1 },
  // 4: A: +10, +4 (2-0), last 11-02; C: -4, -5 (0-2), played yesterday.
  { rest_days_1: 3, rest_days_2: 1, b2b_1: 0, b2b_2: 1, roll_pd_1: 7, roll_pd_2: -4.5, roll_win_1: 1, roll_win_2: 0, season_win_pct_1: 1, season_win_pct_2: 0, season_games_1: 2, season_games_2: 2, home_win: 0 },
  // 5: new season. B window -10, +5; A window +4, -10 (the +10 fell out). Rest capped at 10.
  { rest_days_1: 10, rest_days_2: 10, b2b_1: 0, b2b_2: 0, roll_pd_1: -2.5, roll_pd_2: -3, roll_win_1: 0.5, roll_win_2: 0.5, season_win_pct_1: 0.5, season_win_pct_2: 0.5, season_games_1: 0, season_games_2: 0, home_win: 1 },
  // 6: C window -5, +10, new season; B window +5, +10, 1-0 this season, played yesterday.
  { rest_days_1: 10, rest_days_2: 1, b2b_1: 0, b2b_2: 1, roll_pd_1: 2.5, roll_pd_2: 7.5, roll_win_1: 0.5, roll_win_2: 1, season_win_pct_1: 0.5, season_win_pct_2: 1, season_games_1: 0, season_games_2: 1, home_win: 0 },
];

function pick(row: FeatureRow): Expected {
  const out = {} as Record<string, number>;
  for (const k of Object.keys(EXPECTED_WINDOW_2[0])) out[k] = (row as Record<string, number | string>)[k] as number;
  return out as Expected;
}

describe("buildFeatureTable on a hand-made schedule", () => {
  it("computes rest, back-to-backs, rolling form and season-to-date values from earlier games only", () => {
    const { rows } = buildFeatureTable(SCHEDULE, { window: 2 });
    expect(rows.map(pick)).toEqual(EXPECTED_WINDOW_2);
  });

  it("derives the diffs and copies the pre-game Elo fields", () => {
    const row = buildFeatureTable(SCHEDULE, { window: 2 }).rows[3];
    expect(row.elo_diff).toBe(20);
    expect(row.elo_prob1).toBe(0.6);
    expect(row.rest_diff).toBe(2);
    expect(row.roll_pd_diff).toBe(11.5);
    expect(row.roll_win_diff).toBe(1);
    expect(row.season_win_pct_diff).toBe(1);
  });

  it("uses the last 10 games by default, across seasons", () => {
    const row = buildFeatureTable(SCHEDULE).rows[4];
    // A before game 5: +10, +4, -10 -> mean 4/3, 2 wins of 3.
    expect(row.roll_pd_2).toBeCloseTo(4 / 3, 12);
    expect(row.roll_win_2).toBeCloseTo(2 / 3, 12);
  });

  it("sorts by date, keeps same-date input order, and ignores input order otherwise", () => {
    const shuffled = [SCHEDULE[3], SCHEDULE[5], SCHEDULE[0], SCHEDULE[2], SCHEDULE[4], SCHEDULE[1]];
    expect(buildFeatureTable(shuffled, { window: 2 })).toEqual(buildFeatureTable(SCHEDULE, { window: 2 }));
    const sameDay = [game("2000-11-01", 2001, "X", "Y", 1, 0), game("2000-11-01", 2001, "A", "B", 1, 0)];
    expect(buildFeatureTable(sameDay).rows.map((r) => r.team1)).toEqual(["X", "A"]);
  });

  it("does not let a same-date game (a doubleheader) feed the other game of that date", () => {
    const doubleheader = [game("2000-11-01", 2001, "A", "B", 120, 80), game("2000-11-01", 2001, "A", "C", 100, 90)];
    const second = buildFeatureTable(doubleheader).rows[1];
    expect(second.season_games_1).toBe(0);
    expect(second.roll_pd_1).toBe(0);
    expect(second.rest_days_1).toBe(10);
  });

  it("filters output seasons but still uses earlier seasons as history", () => {
    const full = buildFeatureTable(SCHEDULE, { window: 2 });
    const later = buildFeatureTable(SCHEDULE, { window: 2, fromSeason: 2002 });
    expect(later.rows).toEqual(full.rows.slice(4));
    expect(buildFeatureTable(SCHEDULE, { toSeason: 2001 }).rows).toHaveLength(4);
    expect(() => buildFeatureTable(SCHEDULE, { fromSeason: 2003, toSeason: 2002 })).toThrow(ValidationError);
    expect(() => buildFeatureTable(SCHEDULE, { window: 0 })).toThrow(ValidationError);
  });
});

describe("leak-proofing", () => {
  it("keeps a game's features, and every earlier game's, when that game's and all later scores change", () => {
    const games = generateGames({ seed: 11, seasons: 2, teams: 12, gamesPerTeam: 40 });
    const k = Math.floor(games.length * 0.6);
    const changed = games.map((g, i) => (i >= k ? { ...g, score1: g.score2, score2: g.score1 } : g));

    const before = buildFeatureTable(games).rows;
    const after = buildFeatureTable(changed).rows;
    expect(after).toHaveLength(before.length);
    const featuresOf = (r: FeatureRow) => NBA_FEATURE_COLUMNS.map((c) => r[c]);
    for (let i = 0; i <= k; i++) expect(featuresOf(after[i]), `row ${i}`).toEqual(featuresOf(before[i]));
    // The target is the game's own result and may change...
    expect(after[k].home_win).not.toBe(before[k].home_win);
    // ...and the change does reach later games' history, so the check above is not vacuous.
    const laterDiffer = after.slice(k + 1).some((r, j) => featuresOf(r).join() !== featuresOf(before[k + 1 + j]).join());
    expect(laterDiffer).toBe(true);
  });

  it("never turns a score into a feature", () => {
    for (const c of NBA_FEATURE_COLUMNS) expect(c).not.toMatch(/score/);
  });
});

describe("the product's own Elo as features", () => {
  it("gives every game the pre-game ratings and chance computeElo gives it", () => {
    const games = generateGames({ seed: 5, seasons: 2, teams: 8, gamesPerTeam: 20 });
    const rows = buildFeatureTable(games).rows;
    const rated = computeElo(games);
    expect(rows).toHaveLength(rated.length);
    rows.forEach((row, i) => {
      expect([row.date, row.team1, row.team2]).toEqual([rated[i].date, rated[i].team1, rated[i].team2]);
      expect(row.own_elo_1).toBe(rated[i].elo1_pre);
      expect(row.own_elo_2).toBe(rated[i].elo2_pre);
      expect(row.own_elo_diff).toBe(rated[i].elo1_pre - rated[i].elo2_pre);
      expect(row.own_elo_prob1).toBe(rated[i].prob1);
    });
  });

  it("leaves FiveThirtyEight's columns out of a table whose games lack them, and keeps everything else", () => {
    const results: GameResult[] = SCHEDULE.map(({ elo1_pre: _a, elo2_pre: _b, elo_prob1: _c, ...rest }) => rest);
    const without = buildFeatureTable(results, { window: 2 });
    const withElo = buildFeatureTable(SCHEDULE, { window: 2 });
    expect(without.columns).toEqual(withElo.columns.filter((c) => c !== "elo_diff" && c !== "elo_prob1"));
    expect(without.columns).toEqual(["date", "season", "team1", "team2", ...FORECAST_FEATURES, "home_win"]);
    expect(without.rows.map((r) => ({ ...r, elo_diff: 20, elo_prob1: 0.6 }))).toEqual(withElo.rows);
    const header = toCsv(without).split("\n")[0].split(",");
    expect(header).not.toContain("elo_prob1");
    expect(header).not.toContain("elo_diff");
  });
});

describe("featurizeQueries (forecasts)", () => {
  const games = generateGames({ seed: 21, seasons: 2, teams: 10, gamesPerTeam: 30 });
  const pick = (r: QueryFeatureRow) => Object.fromEntries(FORECAST_FEATURES.map((c) => [c, r[c]]));

  it("gives a game in the file exactly the features its own row has", () => {
    const table = buildFeatureTable(games).rows;
    const sample = [0.01, 0.4, 0.8, 1].map((f) => table[Math.round(f * (table.length - 1))]);
    const queries: GameQuery[] = sample.map((r) => ({ date: r.date, team1: r.team1, team2: r.team2, playoff: r.playoff as 0 | 1 }));
    const answered = featurizeQueries(games, queries);
    answered.forEach((q, k) => {
      expect(q.season).toBe(sample[k].season);
      expect(pick(q)).toEqual(pick(sample[k] as unknown as QueryFeatureRow));
    });
  });

  it("is leak-free: changing any result on or after the date changes nothing, an earlier one does", () => {
    const date = games[Math.floor(games.length * 0.55)].date;
    const team1 = games[0].team1;
    const team2 = games[0].team2;
    const queries: GameQuery[] = [
      { date, team1, team2 },
      { date, team1: team2, team2: team1, neutral: 1 },
    ];
    const before = featurizeQueries(games, queries);
    const flipped = (keep: (g: Game) => boolean) => games.map((g) => (keep(g) ? g : { ...g, score1: g.score2, score2: g.score1 + 7 }));
    expect(featurizeQueries(flipped((g) => g.date < date), queries)).toEqual(before);
    // Not vacuous: the same change a day earlier reaches the forecast.
    const earlier = featurizeQueries(flipped((g) => !(g.date < date && (g.team1 === team1 || g.team2 === team1))), queries);
    expect(earlier[0].own_elo_1).not.toBe(before[0].own_elo_1);
  });

  it("never records a requested game: two on consecutive days do not see each other", () => {
    const last = games.at(-1)!.date;
    const [first, second] = featurizeQueries(games, [
      { date: "2099-01-02", team1: "ASH", team2: "BAY" },
      { date: "2099-01-01", team1: "ASH", team2: "BAY" },
    ]);
    expect(first.rest_days_1).toBe(10);
    expect(first.own_elo_1).toBe(second.own_elo_1);
    expect(first.season_games_1).toBe(second.season_games_1);
    expect(last < "2099-01-01").toBe(true);
  });

  it("takes a date's season from the schedule, and past the last game carries ratings over into the next season", () => {
    const sorted = games.slice().sort((a, b) => (a.date < b.date ? -1 : 1));
    const last = sorted.at(-1)!;
    expect(seasonForDate(sorted, sorted[0].date)).toBe(sorted[0].season);
    expect(seasonForDate(sorted, "2001-01-01")).toBe(2001);
    expect(seasonForDate(sorted, `${last.season}-12-01`)).toBe(last.season + 1);
    const [offseason] = featurizeQueries(games, [{ date: `${last.season}-12-01`, team1: last.team1, team2: last.team2 }]);
    const [lastNight] = featurizeQueries(games, [{ date: last.date, team1: last.team1, team2: last.team2 }]);
    expect(offseason.season).toBe(last.season + 1);
    expect(offseason.season_games_1).toBe(0);
    // The carry-over pulls each rating a quarter of the way to 1505.
    const post = computeElo(games).find((r) => r.date === last.date && r.team1 === last.team1)!;
    expect(offseason.own_elo_1).toBeCloseTo(0.75 * post.elo1_post + 0.25 * 1505, 9);
    expect(lastNight.own_elo_1).toBe(post.elo1_pre);
  });

  it("answers a date before the first game from no history, and refuses a malformed request", () => {
    const [row] = featurizeQueries(games, [{ date: "1990-01-01", team1: "ASH", team2: "BAY" }]);
    expect(row).toMatchObject({ own_elo_1: 1300, own_elo_2: 1300, rest_days_1: 10, roll_win_1: 0.5, season_games_2: 0 });
    expect(() => featurizeQueries(games, [{ date: "2001-02-30", team1: "ASH", team2: "BAY" }])).toThrow(/Game 1: date is not a YYYY-MM-DD/);
    expect(() => featurizeQueries(games, [{ date: "2001-02-03", team1: "ASH", team2: "ASH" }])).toThrow(/same team/);
  });
});

describe("toCsv", () => {
  it("writes keys, features, then home_win, with numbers rounded to six decimals", () => {
    const table = buildFeatureTable(SCHEDULE);
    const lines = toCsv(table).trimEnd().split("\n");
    expect(lines[0]).toBe(["date", "season", "team1", "team2", ...NBA_FEATURE_COLUMNS, "home_win"].join(","));
    expect(lines).toHaveLength(SCHEDULE.length + 1);
    const fifth = lines[5].split(",");
    expect(fifth.slice(0, 4)).toEqual(["2001-11-01", "2002", "B", "A"]);
    expect(fifth[lines[0].split(",").indexOf("roll_pd_2")]).toBe("1.333333");
    expect(fifth.at(-1)).toBe("1");
  });

  it("quotes text that contains a comma", () => {
    const csv = toCsv(buildFeatureTable([game("2000-11-01", 2001, "New York, NY", "B", 1, 0)]));
    expect(csv.split("\n")[1]).toMatch(/^2000-11-01,2001,"New York, NY",B,/);
  });
});
