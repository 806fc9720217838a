import crypto from "node:crypto";
import fs from "node:fs/promises";
import { ValidationError } from "@/lib/errors";
import { buildFeatureTable, featurizeQueries, toCsv, type FeatureOptions, type GameQuery, type QueryFeatureRow } from "@/lib/nba/features";
import type { GameRecord } from "@/lib/nba/games";
import { describeGames, parseGamesDataset, type GamesFacts } from "./games-facts";

/**
 * The CPU-bound work on games files, run in a worker thread (./games-worker):
 * parsing a history of tens of thousands of games and replaying it takes a
 * second or more, which the web server's event loop must not wait for.
 */

export type GamesRequest =
  | { op: "inspect"; file: string }
  | { op: "features"; file: string; path: string; sha256: string; options: FeatureOptions }
  | { op: "forecast"; file: string; path: string; sha256: string; queries: GameQuery[] };

export interface FeatureCsv {
  csv: string;
  rows: number;
}

/** The last file parsed, by checksum: forecasts against one dataset come in runs. */
let cached: { sha256: string; games: GameRecord[]; fiveThirtyEightElo: boolean } | null = null;

async function readGames(file: string, expected: { path: string; sha256: string } | null) {
  const data = await fs.readFile(file);
  const sha256 = crypto.createHash("sha256").update(data).digest("hex");
  if (expected && sha256 !== expected.sha256) {
    throw new ValidationError(`The dataset "${expected.path}" changed on disk since it was uploaded; upload it again.`, {
      games_dataset: ["its file no longer matches what was uploaded"],
    });
  }
  if (cached?.sha256 === sha256) return cached;
  cached = { sha256, ...parseGamesDataset(data.toString("utf8")) };
  return cached;
}

export async function handleGamesRequest(request: GamesRequest): Promise<GamesFacts | FeatureCsv | QueryFeatureRow[]> {
  switch (request.op) {
    case "inspect": {
      const { games, fiveThirtyEightElo } = await readGames(request.file, null);
      return describeGames(games, fiveThirtyEightElo);
    }
    case "features": {
      const { games } = await readGames(request.file, request);
      const table = buildFeatureTable(games, request.options);
      return { csv: toCsv(table), rows: table.rows.length };
    }
    case "forecast": {
      const { games } = await readGames(request.file, request);
      return featurizeQueries(games, request.queries);
    }
  }
}
