import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { parseGamesCsv, type Game } from "@/lib/nba/games";
import { gamesToCsv, generateGames } from "@/lib/nba/generator";

const DAY = 86_400_000;
const dayOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / DAY;
const homeWinRate = (games: Game[]) => games.filter((g) => g.score1 > g.score2).length / games.length;

describe("generateGames", () => {
  it("is deterministic for a seed and different for another seed", () => {
    const a = gamesToCsv(generateGames({ seed: 7, seasons: 2 }));
    const b = gamesToCsv(generateGames({ seed: 7, seasons: 2 }));
    const c = gamesToCsv(generateGames({ seed: 8, seasons: 2 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it("gives home teams 55% to 65% of wins over three seasons", () => {
    for (const seed of [1, 2, 3]) {
      const rate = homeWinRate(generateGames({ seed, seasons: 3 }));
      expect(rate, `seed ${seed}`).toBeGreaterThanOrEqual(0.55);
      expect(rate, `seed ${seed}`).toBeLessThanOrEqual(0.65);
    }
  });

  it("schedules 82 balanced regular-season games per team over about 170 days, with back-to-backs", () => {
    const games = generateGames({ seed: 5, seasons: 1 });
    const regular = games.filter((g) => g.playoff === 0);
    expect(regular).toHaveLength((30 * 82) / 2);

    const played = new Map<string, number[]>();
    const hosted = new Map<string, number>();
    for (const g of regular) {
      for (const t of [g.team1, g.team2]) played.set(t, [...(played.get(t) ?? []), dayOf(g.date)]);
      hosted.set(g.team1, (hosted.get(g.team1) ?? 0) + 1);
    }
    expect(played.size).toBe(30);
    let backToBacks = 0;
    let teamGames = 0;
    for (const [team, days] of played) {
      expect(days, team).toHaveLength(82);
      expect(hosted.get(team), team).toBeGreaterThanOrEqual(40);
      expect(hosted.get(team), team).toBeLessThanOrEqual(42);
      for (let i = 1; i < days.length; i++) {
        expect(days[i] - days[i - 1], `${team} twice on one day`).toBeGreaterThan(0);
        if (i >= 2) expect(days[i] - days[i - 2], `${team} three games in three days`).toBeGreaterThan(2);
        if (days[i] - days[i - 1] === 1) backToBacks++;
        teamGames++;
      }
    }
    expect(backToBacks / teamGames).toBeGreaterThan(0.08);
    expect(backToBacks / teamGames).toBeLessThan(0.35);

    const span = dayOf(regular.at(-1)!.date) - dayOf(regular[0].date);
    expect(span).toBeGreaterThan(150);
    expect(span).toBeLessThan(200);
  });

  it("ends each season with a short playoff after the regular season", () => {
    const games = generateGames({ seed: 5, seasons: 2 });
    for (const season of [2001, 2002]) {
      const ofSeason = games.filter((g) => g.season === season);
      const lastRegular = ofSeason.filter((g) => g.playoff === 0).at(-1)!.date;
      const playoff = ofSeason.filter((g) => g.playoff === 1);
      const share = playoff.length / ofSeason.length;
      expect(share).toBeGreaterThan(0.03);
      expect(share).toBeLessThan(0.1);
      expect(playoff.every((g) => g.date > lastRegular)).toBe(true);
    }
    expect(generateGames({ seed: 5, seasons: 1, playoffs: false }).some((g) => g.playoff === 1)).toBe(false);
  });

  it("writes dates in order and an elo_prob1 that follows its own Elo with home advantage", () => {
    const games = generateGames({ seed: 9, seasons: 2 });
    for (let i = 1; i < games.length; i++) expect(games[i].date >= games[i - 1].date).toBe(true);
    for (const g of games) {
      const expected = 1 / (1 + 10 ** (-(g.elo1_pre - g.elo2_pre + 100) / 400));
      expect(Math.abs(g.elo_prob1 - expected)).toBeLessThan(1e-4);
    }
    const meanPoints = games.reduce((s, g) => s + g.score1 + g.score2, 0) / (2 * games.length);
    expect(meanPoints).toBeGreaterThan(90);
    expect(meanPoints).toBeLessThan(110);
  });

  it("lets the stronger side by Elo win more often, so the Elo columns carry signal", () => {
    const games = generateGames({ seed: 4, seasons: 2 });
    const hits = games.filter((g) => g.elo_prob1 > 0.5 === g.score1 > g.score2).length / games.length;
    expect(hits).toBeGreaterThan(0.6);
  });

  it("round-trips through gamesToCsv and parseGamesCsv", () => {
    const games = generateGames({ seed: 3, seasons: 1, teams: 8, gamesPerTeam: 20 });
    const parsed = parseGamesCsv(gamesToCsv(games));
    expect(parsed.badRows).toEqual([]);
    expect(parsed.games).toEqual(games);
  });

  it("handles odd team counts and rejects nonsense options", () => {
    const games = generateGames({ seed: 1, seasons: 1, teams: 5, gamesPerTeam: 8, playoffs: false });
    const counts = new Map<string, number>();
    for (const g of games) for (const t of [g.team1, g.team2]) counts.set(t, (counts.get(t) ?? 0) + 1);
    for (const n of counts.values()) expect(n === 7 || n === 8).toBe(true);
    expect(() => generateGames({ seed: 1, seasons: 1, teams: 1 })).toThrow(ValidationError);
    expect(() => generateGames({ seed: 1.5, seasons: 1 })).toThrow(ValidationError);
  });
});
