import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { GAME_COLUMNS, hasResultColumns, isCalendarDate, parseGameResultsCsv, parseGamesCsv } from "@/lib/nba/games";

const HEADER = GAME_COLUMNS.join(",");

describe("parseGamesCsv", () => {
  it("parses typed games, ignoring extra columns, a BOM and CRLF line ends", () => {
    const text =
      "\uFEFF" +
      [
        `${HEADER},elo1_post`,
        "1946-11-01,1947,0,0,TRH,NYK,1300,1300,0.640064999802885,66,68,1293.2767",
        "2016-06-19,2016,1,1,GSW,CLE,1790.9591,1704.3949,0.7918,89,93,1700",
      ].join("\r\n") +
      "\r\n";
    const { games, badRows, columns } = parseGamesCsv(text);
    expect(badRows).toEqual([]);
    expect(columns).toContain("elo1_post");
    expect(games).toEqual([
      {
        date: "1946-11-01",
        season: 1947,
        neutral: 0,
        playoff: 0,
        team1: "TRH",
        team2: "NYK",
        elo1_pre: 1300,
        elo2_pre: 1300,
        elo_prob1: 0.640064999802885,
        score1: 66,
        score2: 68,
      },
      {
        date: "2016-06-19",
        season: 2016,
        neutral: 1,
        playoff: 1,
        team1: "GSW",
        team2: "CLE",
        elo1_pre: 1790.9591,
        elo2_pre: 1704.3949,
        elo_prob1: 0.7918,
        score1: 89,
        score2: 93,
      },
    ]);
  });

  it("reports bad rows with their 1-based file line and keeps the good ones", () => {
    const lines = [
      HEADER, // 1
      "2000-11-01,2001,0,0,AAA,BBB,1500,1500,0.64,100,90", // 2 ok
      "2000-11-01,2001,0,0,CCC,DDD,,1500,0.64,100,90", // 3 missing elo1_pre
      "", // 4 blank: skipped, still counted
      "2001-02-30,2001,0,0,AAA,BBB,1500,1500,0.64,100,90", // 5 no such day
      "11/02/2000,2001,0,0,AAA,BBB,1500,1500,0.64,100,90", // 6 wrong date form
      "2000-11-03,2001,0,0,AAA,BBB,1500,1500,0.64,abc,90", // 7 non-numeric score
      "2000-11-03,2001,0,0,AAA,BBB,1500,1500,0.64,100", // 8 too few values
      '2000-11-04,2001,0,0,"EE\nE",FFF,1500,1500,0.64,100,90', // 9-10 quoted line break
      "2000-11-05,2001,0,0,AAA,AAA,1500,1500,0.64,100,90", // 11 same team
      "2000-11-05,2001,2,0,CCC,DDD,1500,1500,1.5,100,90", // 12 bad flag and probability
      "2000-11-06,2001,0,0,CCC,DDD,1500,1500,0.5,101,99", // 13 ok
    ];
    const { games, badRows } = parseGamesCsv(lines.join("\n"));
    expect(games.map((g) => g.date)).toEqual(["2000-11-01", "2000-11-06"]);
    expect(badRows.map((b) => b.line)).toEqual([3, 5, 6, 7, 8, 9, 11, 12]);
    const byLine = new Map(badRows.map((b) => [b.line, b.message]));
    expect(byLine.get(3)).toMatch(/elo1_pre is missing/);
    expect(byLine.get(5)).toMatch(/date is not a date/);
    expect(byLine.get(6)).toMatch(/date is not a date/);
    expect(byLine.get(7)).toMatch(/score1 is not a number \("abc"\)/);
    expect(byLine.get(8)).toMatch(/has 10 values but the header has 11/);
    expect(byLine.get(9)).toMatch(/team1 contains a line break/);
    expect(byLine.get(11)).toMatch(/same team/);
    expect(byLine.get(12)).toMatch(/neutral must be 0 or 1/);
    expect(byLine.get(12)).toMatch(/elo_prob1 must be between 0 and 1/);
  });

  it("throws a ValidationError naming every missing header column", () => {
    const header = GAME_COLUMNS.filter((c) => c !== "score2" && c !== "elo_prob1").join(",");
    let caught: unknown;
    try {
      parseGamesCsv(`${header}\n2000-11-01,2001,0,0,AAA,BBB,1500,1500,100\n`);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as Error).message).toMatch(/lacks elo_prob1, score2/);
    expect(() => parseGamesCsv("")).toThrow(ValidationError);
  });
});

describe("parseGameResultsCsv (games datasets)", () => {
  it("needs only the result columns; neutral and playoff default to 0, also when empty", () => {
    const text = ["date,season,team1,team2,score1,score2", "2016-10-25,2017,CLE,NYK,117,88", "2016-10-26,2017,BOS,BRK,122,117"].join("\n");
    const { games, badRows, fiveThirtyEightElo } = parseGameResultsCsv(text);
    expect(badRows).toEqual([]);
    expect(fiveThirtyEightElo).toBe(false);
    expect(games[0]).toEqual({ date: "2016-10-25", season: 2017, team1: "CLE", team2: "NYK", score1: 117, score2: 88, neutral: 0, playoff: 0 });
    const flags = parseGameResultsCsv("date,season,team1,team2,score1,score2,neutral,playoff\n2016-10-25,2017,CLE,NYK,117,88,,1\n2016-10-26,2017,A,B,1,0,2,0\n");
    expect(flags.games.map((g) => [g.neutral, g.playoff])).toEqual([[0, 1]]);
    expect(flags.badRows[0]).toMatchObject({ line: 3, message: expect.stringMatching(/neutral must be 0 or 1/) });
  });

  it("reads FiveThirtyEight's Elo columns when all three are there, and refuses a partial set", () => {
    const full = parseGameResultsCsv(`${HEADER}\n2000-11-01,2001,0,0,AAA,BBB,1500,1480,0.66,100,90\n`);
    expect(full.fiveThirtyEightElo).toBe(true);
    expect(full.games[0]).toMatchObject({ elo1_pre: 1500, elo2_pre: 1480, elo_prob1: 0.66 });
    expect(() => parseGameResultsCsv("date,season,team1,team2,score1,score2,elo_prob1\n2000-11-01,2001,A,B,1,0,0.6\n")).toThrow(
      /has elo_prob1 but lacks elo1_pre, elo2_pre; give all three/,
    );
  });

  it("names the missing result columns", () => {
    expect(() => parseGameResultsCsv("date,team1,team2,score1\n")).toThrow(/lacks season, score2; a games file needs the columns date,season,team1,team2,score1,score2/);
    expect(hasResultColumns(["date", "season", "team1", "team2", "score1", "score2", "x"])).toBe(true);
    expect(hasResultColumns(["date", "season", "team1", "team2", "score1"])).toBe(false);
  });
});

describe("isCalendarDate", () => {
  it("accepts real days only", () => {
    expect(isCalendarDate("2016-02-29")).toBe(true);
    expect(isCalendarDate("2015-02-29")).toBe(false);
    expect(isCalendarDate("2016-13-01")).toBe(false);
    expect(isCalendarDate("2016-1-01")).toBe(false);
  });
});
