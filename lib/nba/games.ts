import fs from "node:fs";
import Papa from "papaparse";
import { z } from "zod";
import { config } from "@/lib/config";
import { ValidationError } from "@/lib/errors";

/**
 * Raw NBA games. Team 1 is the home team unless neutral. Two layouts:
 *
 * - FiveThirtyEight's (the shared history file and the project's generator):
 *   results plus their published pre-game Elo, every column required.
 * - Game results alone (a games dataset): date, season, teams and scores;
 *   neutral and playoff may be left out (0), and FiveThirtyEight's Elo columns
 *   may be given (all three) or not, since they are no longer published and the
 *   product computes its own Elo from the results.
 */
export const GAME_COLUMNS = [
  "date",
  "season",
  "neutral",
  "playoff",
  "team1",
  "team2",
  "elo1_pre",
  "elo2_pre",
  "elo_prob1",
  "score1",
  "score2",
] as const;

/** What every games file must have. */
export const RESULT_COLUMNS = ["date", "season", "team1", "team2", "score1", "score2"] as const;
export const FLAG_COLUMNS = ["neutral", "playoff"] as const;
export const FIVETHIRTYEIGHT_ELO_COLUMNS = ["elo1_pre", "elo2_pre", "elo_prob1"] as const;

export interface GameResult {
  /** YYYY-MM-DD, a real calendar date. */
  date: string;
  /** Named by the year the season ended (2016 = 2015-16). */
  season: number;
  neutral: 0 | 1;
  playoff: 0 | 1;
  team1: string;
  team2: string;
  /** Final scores: outcomes, never features of their own game. */
  score1: number;
  score2: number;
}

/** FiveThirtyEight's published pre-game ratings and forecast for a game. */
export interface FiveThirtyEightElo {
  elo1_pre: number;
  elo2_pre: number;
  elo_prob1: number;
}

export interface Game extends GameResult, FiveThirtyEightElo {}

/** A game from a games dataset: FiveThirtyEight's columns when the file has them. */
export type GameRecord = GameResult & Partial<FiveThirtyEightElo>;

/** Results only (RESULT_COLUMNS, then neutral and playoff): a games dataset as someone would keep one today. */
export function gameResultsToCsv(games: readonly GameResult[]): string {
  const columns = [...RESULT_COLUMNS, ...FLAG_COLUMNS];
  const escape = (v: string | number) => (typeof v === "string" && /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : String(v));
  return [columns.join(","), ...games.map((g) => columns.map((c) => escape(g[c])).join(","))].join("\n") + "\n";
}

/** True when a header has what a games dataset needs (the result columns). */
export function hasResultColumns(columns: readonly string[]): boolean {
  return RESULT_COLUMNS.every((c) => columns.includes(c));
}

export interface BadRow {
  /** 1-based line in the file (the header is line 1). */
  line: number;
  message: string;
}

export interface ParsedGames<G extends GameRecord = Game> {
  games: G[];
  badRows: BadRow[];
  /** Header as read, including columns this parser ignores. */
  columns: string[];
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for YYYY-MM-DD strings naming a real day (rejects 2016-02-30). */
export function isCalendarDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

const present = z.string().trim().min(1, "is missing");

/** Team codes are short labels; a control character means a broken row, not a team. */
const teamCode = present.max(40, "is longer than 40 characters").refine((v) => !/[\u0000-\u001f]/.test(v), {
  message: "contains a line break or control character",
});

const numeric = present.transform((raw, ctx) => {
  const n = Number(raw);
  if (!Number.isFinite(n)) {
    ctx.addIssue({ code: "custom", message: `is not a number ("${raw}")` });
    return z.NEVER;
  }
  return n;
});

/** Accepts 0/1 and the TRUE/FALSE some exporters write for logical columns. */
const flag = present.transform((raw, ctx): 0 | 1 => {
  const v = raw.toLowerCase();
  if (v === "1" || v === "true") return 1;
  if (v === "0" || v === "false") return 0;
  ctx.addIssue({ code: "custom", message: `must be 0 or 1 ("${raw}")` });
  return z.NEVER;
});

/** A flag column a games dataset may leave empty: empty means 0. */
const optionalFlag = z
  .string()
  .trim()
  .transform((raw, ctx): 0 | 1 => {
    const v = raw.toLowerCase();
    if (v === "" || v === "0" || v === "false") return 0;
    if (v === "1" || v === "true") return 1;
    ctx.addIssue({ code: "custom", message: `must be 0 or 1 ("${raw}")` });
    return z.NEVER;
  });

const resultFields = {
  date: present.refine(isCalendarDate, { message: "is not a date in YYYY-MM-DD form" }),
  season: numeric.pipe(z.number().int("must be a whole year")),
  team1: teamCode,
  team2: teamCode,
  score1: numeric.pipe(z.number().int("must be a whole number").min(0, "must not be negative")),
  score2: numeric.pipe(z.number().int("must be a whole number").min(0, "must not be negative")),
};

const eloFields = {
  elo1_pre: numeric,
  elo2_pre: numeric,
  elo_prob1: numeric.pipe(z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1")),
};

const sameTeam = { message: "team1 and team2 are the same team", path: ["team2"] };

const RawGameSchema = z
  .object({ ...resultFields, neutral: flag, playoff: flag, ...eloFields })
  .refine((g) => g.team1 !== g.team2, sameTeam);

const ResultSchema = z.object({ ...resultFields, neutral: optionalFlag, playoff: optionalFlag }).refine((g) => g.team1 !== g.team2, sameTeam);
const ResultWithEloSchema = z
  .object({ ...resultFields, neutral: optionalFlag, playoff: optionalFlag, ...eloFields })
  .refine((g) => g.team1 !== g.team2, sameTeam);

function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues.map((i) => (i.path.length ? `${i.path.map(String).join(".")} ${i.message}` : i.message)).join("; ");
}

function countNewlines(fields: string[]): number {
  let n = 0;
  for (const f of fields) for (let i = f.indexOf("\n"); i !== -1; i = f.indexOf("\n", i + 1)) n++;
  return n;
}

interface Layout<G extends GameRecord> {
  /** Columns read, each given to the schema under its own name ("" when the file lacks an optional one). */
  read: readonly string[];
  schema: z.ZodType<G, Record<string, string>>;
}

/**
 * Parses games CSV text in FiveThirtyEight's layout (every column required). A
 * wrong header throws (nothing else in the file can be trusted); a bad row is
 * reported with its line and skipped, so one typo in a 64k-row history does not
 * cost the other rows.
 */
export function parseGamesCsv(text: string): ParsedGames<Game> {
  return parseWith(text, (header) => {
    const missing = GAME_COLUMNS.filter((c) => !header.includes(c));
    if (missing.length > 0) {
      throw new ValidationError(
        `The games CSV header lacks ${missing.join(", ")}; expected the columns ${GAME_COLUMNS.join(",")}.`,
        { header: missing.map((c) => `missing column ${c}`) },
      );
    }
    return { read: GAME_COLUMNS, schema: RawGameSchema };
  });
}

/**
 * Parses a games dataset: the result columns are required; neutral and playoff
 * are 0 when absent or empty; FiveThirtyEight's three Elo columns are read when
 * the header has all of them (and then required in every row), and refused when
 * it has only some, since a partial set cannot be used.
 */
export function parseGameResultsCsv(text: string): ParsedGames<GameRecord> & { fiveThirtyEightElo: boolean } {
  let fiveThirtyEightElo = false;
  const parsed = parseWith<GameRecord>(text, (header) => {
    const missing = RESULT_COLUMNS.filter((c) => !header.includes(c));
    if (missing.length > 0) {
      throw new ValidationError(
        `The games CSV header lacks ${missing.join(", ")}; a games file needs the columns ${RESULT_COLUMNS.join(",")} (neutral and playoff optional).`,
        { header: missing.map((c) => `missing column ${c}`) },
      );
    }
    const elo = FIVETHIRTYEIGHT_ELO_COLUMNS.filter((c) => header.includes(c));
    if (elo.length > 0 && elo.length < FIVETHIRTYEIGHT_ELO_COLUMNS.length) {
      const lacking = FIVETHIRTYEIGHT_ELO_COLUMNS.filter((c) => !header.includes(c));
      throw new ValidationError(
        `The games CSV has ${elo.join(", ")} but lacks ${lacking.join(", ")}; give all three of FiveThirtyEight's Elo columns or none.`,
        { header: lacking.map((c) => `missing column ${c}`) },
      );
    }
    fiveThirtyEightElo = elo.length > 0;
    const read = [...RESULT_COLUMNS, ...FLAG_COLUMNS, ...(fiveThirtyEightElo ? FIVETHIRTYEIGHT_ELO_COLUMNS : [])];
    return { read, schema: fiveThirtyEightElo ? ResultWithEloSchema : ResultSchema };
  });
  return { ...parsed, fiveThirtyEightElo };
}

function parseWith<G extends GameRecord>(text: string, layoutFor: (header: string[]) => Layout<G>): ParsedGames<G> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const parsed = Papa.parse<string[]>(body, { header: false, skipEmptyLines: false });
  const rows = parsed.data;
  const header = (rows[0] ?? []).map((c) => c.trim());
  const { read, schema } = layoutFor(header);
  const index = read.map((c) => header.indexOf(c));
  // Quoted fields may span lines; only then is the line count worth tracking per field.
  const mayHaveMultiline = body.includes('"');

  const games: G[] = [];
  const badRows: BadRow[] = [];
  let line = 1 + (mayHaveMultiline ? countNewlines(rows[0] ?? []) : 0);
  for (let r = 1; r < rows.length; r++) {
    line += 1;
    const fields = rows[r];
    const rowLine = line;
    if (mayHaveMultiline) line += countNewlines(fields);
    if (fields.length === 1 && fields[0].trim() === "") continue;
    if (fields.length !== header.length) {
      badRows.push({ line: rowLine, message: `has ${fields.length} values but the header has ${header.length}` });
      continue;
    }
    const raw: Record<string, string> = {};
    for (let c = 0; c < read.length; c++) raw[read[c]] = index[c] === -1 ? "" : fields[index[c]];
    const result = schema.safeParse(raw);
    if (result.success) games.push(result.data);
    else badRows.push({ line: rowLine, message: describeIssues(result.error.issues) });
  }
  return { games, badRows, columns: header };
}

/**
 * The shared historical games file (NBA_GAMES_CSV, else ../shared/data/ next to
 * the project), or null when it is absent, because the project must run without
 * it (tests skip, the app uses generated games).
 */
export function findSharedGamesCsv(candidate: string = config().nbaGamesCsv): string | null {
  return fs.existsSync(candidate) ? candidate : null;
}
