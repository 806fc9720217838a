import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { gamesToCsv, generateGames } from "@/lib/nba/generator";

const run = promisify(execFile);
const root = path.resolve(__dirname, "..");
const tsx = path.join(root, "node_modules", ".bin", "tsx");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nba-features-cli-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, ["scripts/nba-features.ts", ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm run nba:features", () => {
  it("converts a games file and prints a summary with bad-row line numbers", async () => {
    const lines = gamesToCsv(generateGames({ seed: 1, seasons: 2, teams: 6, gamesPerTeam: 10 })).split("\n");
    lines.splice(2, 0, "2000-11-01,2001,0,0,ASH,BAY,x,1500,0.6,100,90"); // line 3
    const input = path.join(tmp, "games.csv");
    const output = path.join(tmp, "features.csv");
    fs.writeFileSync(input, lines.join("\n"));

    const { code, stdout } = await cli([input, output, "--from-season", "2002"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/games read:\s+\d+/);
    expect(stdout).toMatch(/bad rows:\s+1/);
    expect(stdout).toMatch(/line 3: elo1_pre is not a number/);
    const written = Number(/rows written:\s+(\d+)/.exec(stdout)?.[1]);
    expect(written).toBeGreaterThan(0);
    expect(fs.readFileSync(output, "utf8").trimEnd().split("\n")).toHaveLength(written + 1);
  });

  it("exits 2 with usage on bad arguments and 1 on an unreadable input", async () => {
    const usage = await cli(["a.csv", "b.csv", "--from-season", "soon"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/fromSeason/);
    expect(usage.stderr).toMatch(/usage: npm run nba:features/);
    const missing = await cli([path.join(tmp, "missing.csv"), path.join(tmp, "out.csv")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/does not exist/);
  });
});
