import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import {
  computeElo,
  marginOfVictoryMultiplier,
  NBA_ELO,
  ratingsAsOf,
  seasonOfDate,
  winProbability,
  type EloGame,
  type RatedGame,
} from "@/lib/nba/elo";
import { generateGames } from "@/lib/nba/generator";

function game(date: string, season: number, team1: string, team2: string, score1: number, score2: number, neutral: 0 | 1 = 0): EloGame {
  return { date, season, neutral, team1, team2, score1, score2 };
}

/*
 * Hand arithmetic used below (p = win probability, m = margin multiplier):
 *   p(+100) = 1 / (1 + 10^(-100/400)) = 1 / (1 + 0.562341) = 0.640065
 *   p(+200) = 1 / (1 + 10^(-0.5))     = 1 / (1 + 0.316228) = 0.759747
 *   13^0.8 = 7.783137, 4^0.8 = 3.031433, 23^0.8 = 12.285201
 *   m(margin 10, winner edge +100) = 7.783137 / (7.5 + 0.6) = 0.960881
 *   m(margin 10, winner edge    0) = 7.783137 / 7.5         = 1.037752
 *   m(margin 10, winner edge -100) = 7.783137 / (7.5 - 0.6) = 1.127991
 */

describe("winProbability", () => {
  it("gives the home team 100 Elo points, and nobody any on a neutral court", () => {
    expect(winProbability(1300, 1300)).toBeCloseTo(0.640065, 6);
    expect(winProbability(1300, 1300, { neutral: true })).toBe(0.5);
    // 1600 vs 1400 on a neutral court: p(+200).
    expect(winProbability(1600, 1400, { neutral: true })).toBeCloseTo(0.759747, 6);
    // A 1400 home team against a 1600 visitor is 100 behind after home court: 1 - p(+100) = 0.359935.
    expect(winProbability(1400, 1600)).toBeCloseTo(0.359935, 6);
    expect(winProbability(1500, 1600)).toBeCloseTo(0.5, 12);
  });
});

describe("marginOfVictoryMultiplier", () => {
  it("grows with the margin and shrinks as the winner was more favoured", () => {
    expect(marginOfVictoryMultiplier(10, 0)).toBeCloseTo(1.037752, 6);
    expect(marginOfVictoryMultiplier(10, 100)).toBeCloseTo(0.960881, 6);
    expect(marginOfVictoryMultiplier(10, -100)).toBeCloseTo(1.127991, 6);
    // 1 point: 4^0.8 / 7.5 = 0.404191; 20 points: 23^0.8 / 7.5 = 1.638027.
    expect(marginOfVictoryMultiplier(1, 0)).toBeCloseTo(0.404191, 6);
    expect(marginOfVictoryMultiplier(20, 0)).toBeCloseTo(1.638027, 6);
  });
});

describe("computeElo", () => {
  it("starts new teams at 1300 and credits a home win less than a neutral or road win", () => {
    const [home, neutral, road] = computeElo([
      game("2000-11-01", 2001, "A", "B", 110, 100), // A wins by 10 at home
      game("2000-11-01", 2001, "C", "D", 110, 100, 1), // C wins by 10 on a neutral court
      game("2000-11-01", 2001, "E", "F", 100, 110), // F wins by 10 on the road
    ]);
    expect([home.elo1_pre, home.elo2_pre, neutral.elo1_pre, road.elo2_pre]).toEqual([1300, 1300, 1300, 1300]);
    // Home win: 20 * 0.960881 * (1 - 0.640065) = 6.917095.
    expect(home.prob1).toBeCloseTo(0.640065, 6);
    expect(home.elo1_post).toBeCloseTo(1306.917095, 5);
    expect(home.elo2_post).toBeCloseTo(1293.082905, 5);
    // Neutral: 20 * 1.037752 * 0.5 = 10.377516.
    expect(neutral.prob1).toBe(0.5);
    expect(neutral.elo1_post).toBeCloseTo(1310.377516, 5);
    // Road win: 20 * 1.127991 * 0.640065 = 14.439750; home court is in the multiplier's edge too.
    expect(road.elo2_post).toBeCloseTo(1314.43975, 5);
    expect(road.elo1_post).toBeCloseTo(1285.56025, 5);
  });

  it("moves ratings more after a blowout than after a 1-point win", () => {
    const [close, blowout] = computeElo([
      game("2000-11-01", 2001, "A", "B", 101, 100, 1),
      game("2000-11-01", 2001, "C", "D", 120, 100, 1),
    ]);
    // Equal teams, neutral court, so p = 0.5: 20 * 0.404191 * 0.5 = 4.041911 and 20 * 1.638027 * 0.5 = 16.380268.
    expect(close.elo1_post - close.elo1_pre).toBeCloseTo(4.041911, 5);
    expect(blowout.elo1_post - blowout.elo1_pre).toBeCloseTo(16.380268, 5);
  });

  it("damps a favourite's gain for the same margin (autocorrelation term)", () => {
    const ratings = { initialRatings: { FAV: 1600, DOG: 1400, FAV2: 1600, DOG2: 1400 } };
    const [favWins, dogWins] = computeElo(
      [game("2000-11-01", 2001, "FAV", "DOG", 110, 100, 1), game("2000-11-01", 2001, "FAV2", "DOG2", 100, 110, 1)],
      ratings,
    );
    // Favourite by 10: m = 7.783137 / (7.5 + 1.2) = 0.894613; gain 20 * 0.894613 * (1 - 0.759747) = 4.298673.
    expect(favWins.elo1_post - 1600).toBeCloseTo(4.298673, 5);
    // Underdog by 10: m = 7.783137 / (7.5 - 1.2) = 1.235419; gain 20 * 1.235419 * 0.759747 = 18.772110.
    expect(dogWins.elo2_post - 1400).toBeCloseTo(18.77211, 5);
  });

  it("reverts every team 25% toward 1505 between seasons, and adds an expansion team at 1300", () => {
    const rated = computeElo([
      game("2000-11-01", 2001, "A", "B", 110, 100), // A 1306.917095, B 1293.082905 (first test)
      game("2001-11-01", 2002, "A", "C", 100, 100 + 1), // C is new this season
      game("2001-11-02", 2002, "B", "A", 100, 90),
    ]);
    // A: 0.75 * 1306.917095 + 0.25 * 1505 = 1356.437821; C enters at exactly 1300, no carry-over.
    expect(rated[1].elo1_pre).toBeCloseTo(1356.437821, 5);
    expect(rated[1].elo2_pre).toBe(1300);
    // B sat out the first date of 2002 and still gets its carry-over once: 0.75 * 1293.082905 + 376.25 = 1346.062179.
    expect(rated[2].elo1_pre).toBeCloseTo(1346.062179, 5);
    // A's second game of 2002 is not reverted again: it starts where its first ended.
    expect(rated[2].elo2_pre).toBeCloseTo(rated[1].elo1_post, 9);
  });

  it("reverts once per season boundary when a franchise skips seasons", () => {
    const rated = computeElo([game("2000-11-01", 2001, "A", "B", 110, 100), game("2002-11-01", 2003, "A", "B", 110, 100)]);
    // 1505 + (1306.917095 - 1505) * 0.75^2 = 1393.578366.
    expect(rated[1].elo1_pre).toBeCloseTo(1393.578366, 5);
  });

  it("keeps a franchise's rating when it moves (SEA to OKC) unless told codes are separate teams", () => {
    const games = [game("2008-04-01", 2008, "SEA", "X", 110, 100), game("2008-10-29", 2009, "OKC", "X", 100, 110)];
    const moved = computeElo(games);
    expect(moved[1].elo1_pre).toBeCloseTo(0.75 * moved[0].elo1_post + 0.25 * 1505, 9);
    expect(computeElo(games, { franchises: {} })[1].elo1_pre).toBe(1300);
    // Before OKC's first game its code already finds the team, carried over into 2009.
    const entering2009 = ratingsAsOf(games.slice(0, 1), "2008-10-29");
    expect(entering2009.byCode.OKC).toBe(moved[1].elo1_pre);
    expect(entering2009.byCode.SEA).toBe(moved[1].elo1_pre);
    expect(() => computeElo([game("2008-04-01", 2008, "SEA", "OKC", 110, 100)])).toThrow(ValidationError);
  });

  it("rates every game of a date from the ratings entering that date", () => {
    // A plays twice on 11-02: its second game must not know how its first ended.
    const base = [
      game("2000-11-01", 2001, "A", "B", 110, 100),
      game("2000-11-02", 2001, "A", "C", 110, 100),
      game("2000-11-02", 2001, "D", "A", 110, 100),
      game("2000-11-03", 2001, "A", "B", 110, 100),
    ];
    const flipped = base.map((g, i) => (i === 1 ? { ...g, score1: 90 } : g));
    const [r1, r2] = [computeElo(base), computeElo(flipped)];
    expect(r2[2].elo2_pre).toBe(r1[2].elo2_pre);
    expect(r1[2].elo2_pre).toBe(r1[0].elo1_post);
    // Both of A's results on 11-02 count by the next date: 11-03 starts from the sum of both changes.
    const change1 = r1[1].elo1_post - r1[1].elo1_pre;
    const change2 = r1[2].elo2_post - r1[2].elo2_pre;
    expect(r1[3].elo1_pre).toBeCloseTo(r1[0].elo1_post + change1 + change2, 9);
    expect(r2[3].elo1_pre).not.toBeCloseTo(r1[3].elo1_pre, 3);
  });

  it("gives the same ratings whatever order the games come in", () => {
    const games = generateGames({ seed: 7, seasons: 2, teams: 6, gamesPerTeam: 10 });
    const shuffled = games.map((g, i) => ({ g, key: (i * 7919) % games.length })).sort((a, b) => a.key - b.key).map((x) => x.g);
    const byKey = (rated: RatedGame[], input: EloGame[]) => new Map(rated.map((r, i) => [`${input[i].date} ${r.team1} ${r.team2} ${input[i].score1}`, r]));
    const a = byKey(computeElo(games), games);
    const b = byKey(computeElo(shuffled), shuffled);
    expect(b.size).toBe(a.size);
    for (const [key, r] of a) expect(b.get(key)).toEqual(r);
  });

  it("is leak-free: changing any result on or after a date changes no rating entering it", () => {
    const games = generateGames({ seed: 11, seasons: 3, teams: 8, gamesPerTeam: 20 });
    const cut = games[Math.floor(games.length / 2)].date;
    const altered = games.map((g) => (g.date >= cut ? { ...g, score1: g.score2, score2: g.score1 + 7 } : g));
    const before = computeElo(games);
    const after = computeElo(altered);
    let checked = 0;
    for (let i = 0; i < games.length; i++) {
      if (games[i].date > cut) continue;
      expect([after[i].elo1_pre, after[i].elo2_pre, after[i].prob1]).toEqual([before[i].elo1_pre, before[i].elo2_pre, before[i].prob1]);
      checked++;
    }
    expect(checked).toBeGreaterThan(games.length / 3);
    expect(ratingsAsOf(altered, cut)).toEqual(ratingsAsOf(games, cut));
    // The check has teeth: changing a result the day before the cut does move ratings entering it.
    const lastBefore = games.findLastIndex((g) => g.date < cut);
    const earlier = games.map((g, i) => (i === lastBefore ? { ...g, score1: g.score2, score2: g.score1 + 7 } : g));
    expect(ratingsAsOf(earlier, cut)).not.toEqual(ratingsAsOf(games, cut));
  });

  it("rejects a season that goes backwards for a team, and bad options", () => {
    expect(() => computeElo([game("2000-11-01", 2001, "A", "B", 1, 0), game("2000-11-02", 2000, "A", "B", 1, 0)])).toThrow(/backwards/);
    expect(() => computeElo([], { seasonCarry: 1.5 })).toThrow(ValidationError);
    expect(() => computeElo([game("2000-02-30", 2000, "A", "B", 1, 0)])).toThrow(ValidationError);
  });
});

describe("ratingsAsOf", () => {
  const season2001 = [
    game("2000-11-01", 2001, "A", "B", 110, 100), // A 1306.917095, B 1293.082905
    game("2000-11-03", 2001, "B", "A", 100, 110),
  ];

  it("counts only games strictly before the date", () => {
    const onFirstDay = ratingsAsOf(season2001, "2000-11-01");
    expect(onFirstDay.teams).toEqual([]);
    const onSecondDay = ratingsAsOf(season2001, "2000-11-03");
    expect(onSecondDay.season).toBe(2001);
    expect(onSecondDay.byCode.A).toBeCloseTo(1306.917095, 5);
    expect(onSecondDay.teams.map((t) => [t.team, t.games, t.lastGameDate])).toEqual([
      ["A", 1, "2000-11-01"],
      ["B", 1, "2000-11-01"],
    ]);
  });

  it("applies the carry-over to a date past the last game once it falls in a later season", () => {
    const rated = computeElo(season2001);
    const endOfSeason = ratingsAsOf(season2001, "2001-06-30");
    expect(endOfSeason.season).toBe(2001);
    expect(endOfSeason.byCode.A).toBe(rated[1].elo2_post);
    const nextSeason = ratingsAsOf(season2001, "2001-10-30");
    expect(nextSeason.season).toBe(2002);
    expect(nextSeason.byCode.A).toBeCloseTo(0.75 * rated[1].elo2_post + 0.25 * NBA_ELO.seasonMean, 9);
    // An explicit season wins over the calendar.
    expect(ratingsAsOf(season2001, "2001-10-30", { season: 2001 }).byCode.A).toBe(rated[1].elo2_post);
  });

  it("takes a date's season from the next game when there is one, not from the calendar", () => {
    const games = [...season2001, game("2001-12-25", 2002, "A", "B", 100, 90)];
    // July is season 2001 by the calendar, but the next game is a 2002 game: 2002 ratings, carried over.
    expect(ratingsAsOf(games, "2001-07-15").season).toBe(2002);
    expect(ratingsAsOf(games, "2001-07-15").byCode.B).toBeCloseTo(computeElo(games)[2].elo2_pre, 9);
    // Playoffs running late (as in 2020): September by the calendar is next season, the next game says this one.
    const late = [...season2001, game("2001-09-05", 2001, "A", "B", 100, 90)];
    expect(ratingsAsOf(late, "2001-09-01").season).toBe(2001);
    expect(ratingsAsOf(late, "2001-09-01").byCode.A).toBe(computeElo(late)[1].elo2_post);
  });

  it("names seasons by the year they end", () => {
    expect(seasonOfDate("2015-10-27")).toBe(2016);
    expect(seasonOfDate("2016-06-19")).toBe(2016);
    expect(seasonOfDate("2016-08-01")).toBe(2017);
  });
});
