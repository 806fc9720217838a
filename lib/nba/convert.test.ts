import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { convertGamesFile } from "@/lib/nba/convert";
import { gamesToCsv, generateGames } from "@/lib/nba/generator";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nba-convert-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("convertGamesFile", () => {
  it("writes the feature table, skipping and reporting bad rows, filtered by season", async () => {
    const games = generateGames({ seed: 2, seasons: 2, teams: 8, gamesPerTeam: 14 });
    const lines = gamesToCsv(games).trimEnd().split("\n");
    lines.splice(3, 0, "2000-13-01,2001,0,0,ASH,BAY,1500,1500,0.6,100,90"); // becomes line 4
    const input = path.join(tmp, "games.csv");
    fs.writeFileSync(input, lines.join("\n") + "\n");
    const output = path.join(tmp, "nested", "features.csv");

    const progress: string[] = [];
    const summary = await convertGamesFile(input, output, { fromSeason: 2002 }, (m) => progress.push(m));
    expect(summary.gamesRead).toBe(games.length);
    expect(summary.badRows).toEqual([{ line: 4, message: expect.stringMatching(/^date /) }]);
    const secondSeason = games.filter((g) => g.season === 2002).length;
    expect(summary.rowsWritten).toBe(secondSeason);
    expect(fs.readFileSync(output, "utf8").trimEnd().split("\n")).toHaveLength(secondSeason + 1);
    expect(progress.length).toBeGreaterThanOrEqual(4);
  });

  it("says so when the input file does not exist", async () => {
    await expect(convertGamesFile(path.join(tmp, "nope.csv"), path.join(tmp, "out.csv"))).rejects.toThrow(
      ValidationError,
    );
  });
});
