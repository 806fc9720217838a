import Papa from "papaparse";
import { ValidationError } from "@/lib/errors";
import { forecastGames, MAX_FORECAST_GAMES, type ForecastAnswer, type ForecastGameInput } from "./service";

/**
 * Many games at once: a schedule CSV (date, team1, team2; neutral and playoff
 * optional) in, the forecasts out as CSV, one row per game in schedule order.
 */

export const SCHEDULE_COLUMNS = ["date", "team1", "team2"] as const;
const OPTIONAL_COLUMNS = ["neutral", "playoff"] as const;

/** Largest schedule file read: 500 games take a few kilobytes, so anything near this is not a schedule. */
export const MAX_SCHEDULE_BYTES = 256 * 1024;

interface ScheduleRow {
  line: number;
  game: ForecastGameInput;
}

function flagCell(raw: string | undefined, line: number, column: string): 0 | 1 | undefined {
  const v = (raw ?? "").trim().toLowerCase();
  if (v === "") return undefined;
  if (v === "1" || v === "true") return 1;
  if (v === "0" || v === "false") return 0;
  throw new ValidationError(`Line ${line}: ${column} must be 0 or 1, not "${raw}".`, { file: [`line ${line}: ${column} must be 0 or 1`] });
}

export function parseScheduleCsv(text: string): ScheduleRow[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows = Papa.parse<string[]>(body, { header: false, skipEmptyLines: false }).data;
  const header = (rows[0] ?? []).map((c) => c.trim());
  const missing = SCHEDULE_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new ValidationError(
      `The schedule CSV lacks ${missing.join(", ")}; give one game per row with the columns ${SCHEDULE_COLUMNS.join(", ")} (neutral and playoff optional).`,
      { file: missing.map((c) => `missing column ${c}`) },
    );
  }
  const at = (c: string) => header.indexOf(c);
  const out: ScheduleRow[] = [];
  // Papa reports rows, not lines; schedules have no quoted line breaks worth tracking, so a row is a line.
  rows.slice(1).forEach((cells, r) => {
    const line = r + 2;
    if (cells.length === 1 && cells[0].trim() === "") return;
    if (cells.length !== header.length) {
      throw new ValidationError(`Line ${line} has ${cells.length} values but the header has ${header.length}.`, { file: [`line ${line}: wrong number of values`] });
    }
    const game: ForecastGameInput = { date: cells[at("date")].trim(), team1: cells[at("team1")].trim(), team2: cells[at("team2")].trim() };
    for (const c of OPTIONAL_COLUMNS) {
      if (at(c) === -1) continue;
      const v = flagCell(cells[at(c)], line, c);
      if (v !== undefined) game[c] = v;
    }
    out.push({ line, game });
  });
  if (out.length === 0) throw new ValidationError("The schedule CSV has no games under its header.", { file: ["no games"] });
  if (out.length > MAX_FORECAST_GAMES) {
    throw new ValidationError(`The schedule has ${out.length} games; forecast at most ${MAX_FORECAST_GAMES} at a time.`, { file: [`at most ${MAX_FORECAST_GAMES} games`] });
  }
  return out;
}

/** Forecasts a schedule; a refusal about one game names its line in the file. */
export async function forecastSchedule(ensembleId: string, gamesDatasetPath: string, text: string): Promise<ForecastAnswer> {
  const rows = parseScheduleCsv(text);
  try {
    return await forecastGames(ensembleId, { games_dataset: gamesDatasetPath, games: rows.map((r) => r.game) });
  } catch (err) {
    const m = err instanceof ValidationError ? /^Game (\d+): (.*)$/s.exec(err.message) : null;
    if (!m || !(err instanceof ValidationError)) throw err;
    const row = rows[Number(m[1]) - 1];
    throw new ValidationError(`Line ${row.line} of the schedule: ${m[2]}`, err.fields);
  }
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const round = (p: number) => String(Math.round(p * 1e6) / 1e6);

/** One row per game: the game, P(team1 wins) from the ensemble and from the product's Elo, then each base model's. */
export function forecastsToCsv(answer: ForecastAnswer): string {
  const baseNames = answer.forecasts[0]?.base_models.map((b) => b.name) ?? [];
  const header = ["date", "season", "team1", "team2", "neutral", "playoff", "p_team1_wins", "elo_p_team1_wins", ...baseNames.map((n) => `p_team1_wins ${n}`)];
  const lines = [header.map(csvField).join(",")];
  for (const f of answer.forecasts) {
    const cells = [f.date, String(f.season), f.team1, f.team2, String(f.neutral), String(f.playoff), round(f.probability), round(f.elo.probability), ...f.base_models.map((b) => round(b.probability))];
    lines.push(cells.map(csvField).join(","));
  }
  return lines.join("\n") + "\n";
}
