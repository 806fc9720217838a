import fs from "node:fs/promises";
import path from "node:path";
import { ValidationError } from "@/lib/errors";
import { buildFeatureTable, toCsv, type FeatureOptions } from "@/lib/nba/features";
import { parseGameResultsCsv, type BadRow } from "@/lib/nba/games";

export interface ConvertSummary {
  input: string;
  output: string;
  /** Valid games parsed (bad rows excluded). */
  gamesRead: number;
  badRows: BadRow[];
  rowsWritten: number;
  ms: { read: number; parse: number; features: number; write: number; total: number };
}

/**
 * Raw games file -> feature table file. The file needs the result columns;
 * FiveThirtyEight's Elo columns become features when it has them, and the
 * product's own Elo always does. Bad rows are skipped and reported; a missing
 * input or a wrong header stops the conversion with a ValidationError.
 */
export async function convertGamesFile(
  input: string,
  output: string,
  opts: FeatureOptions = {},
  onProgress: (message: string) => void = () => {},
): Promise<ConvertSummary> {
  const t0 = performance.now();
  let text: string;
  try {
    text = await fs.readFile(input, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : (err as Error).message;
    throw new ValidationError(`The games file ${input} cannot be read: ${reason}.`, { input: [reason] });
  }
  const t1 = performance.now();
  onProgress(`read ${(text.length / 1024 / 1024).toFixed(1)} MB from ${input}`);

  const { games, badRows } = parseGameResultsCsv(text);
  const t2 = performance.now();
  onProgress(`parsed ${games.length} games (${badRows.length} bad rows)`);

  const table = buildFeatureTable(games, opts);
  const t3 = performance.now();
  onProgress(`built ${table.rows.length} feature rows`);

  await fs.mkdir(path.dirname(path.resolve(output)), { recursive: true });
  await fs.writeFile(output, toCsv(table), "utf8");
  const t4 = performance.now();
  onProgress(`wrote ${output}`);

  const ms = (a: number, b: number) => Math.round(b - a);
  return {
    input,
    output,
    gamesRead: games.length,
    badRows,
    rowsWritten: table.rows.length,
    ms: { read: ms(t0, t1), parse: ms(t1, t2), features: ms(t2, t3), write: ms(t3, t4), total: ms(t0, t4) },
  };
}
