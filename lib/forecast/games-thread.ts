import { Worker } from "node:worker_threads";
import type { FeatureOptions, GameQuery, QueryFeatureRow } from "@/lib/nba/features";
import { ThreadClient, TS_LOADER } from "@/lib/threads/client";
import type { GamesFacts } from "./games-facts";
import type { FeatureCsv, GamesRequest } from "./games-work";

const gamesThread = new ThreadClient<GamesRequest, unknown>(
  "games worker",
  () => new Worker(new URL("./games-worker.ts", import.meta.url), { execArgv: TS_LOADER }),
  "The games file could not be read (the worker thread stopped).",
);

/** Parses a whole games file and describes it, or refuses it (a bad row, a season going backwards). */
export function inspectGamesFile(file: string): Promise<GamesFacts> {
  return gamesThread.run({ op: "inspect", file }) as Promise<GamesFacts>;
}

/** The feature table of a stored games dataset, as CSV text; `sha256` is checked against the file's bytes. */
export function gamesFeatureCsv(source: { file: string; path: string; sha256: string }, options: FeatureOptions): Promise<FeatureCsv> {
  return gamesThread.run({ op: "features", file: source.file, path: source.path, sha256: source.sha256, options }) as Promise<FeatureCsv>;
}

/** Features of requested games from the results before each one's date, in request order. */
export function forecastFeatureRows(source: { file: string; path: string; sha256: string }, queries: GameQuery[]): Promise<QueryFeatureRow[]> {
  return gamesThread.run({ op: "forecast", file: source.file, path: source.path, sha256: source.sha256, queries }) as Promise<QueryFeatureRow[]>;
}
