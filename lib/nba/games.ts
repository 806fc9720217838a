import fs from "node:fs";
import Papa from "papaparse";
import { z } from "zod";
import { config } from "@/lib/config";
import { ValidationError } from "@/lib/errors";

/**
 * Raw NBA games in FiveThirtyEight's layout (the shared history file and the
 * project's own generator both use it). Team 1 is the home team unless neutral.
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


export interface Game {
  /** YYYY-MM-DD, a real calendar date. */
  date: string;
  /** Named by the year the season ended (2016 = 2015-16). */
  season: number;
  neutral: 0 | 1;
  playoff: 0 | 1;
  team1: string;
  team2: string;
  elo1_pre: number;
  elo2_pre: number;
  elo_prob1: number;
  /** Final scores: outcomes, never features of their own game. */
  score1: number;
  score2: number;
}

export interface BadRow {
  /** 1-based line in the file (the header is line 1). */
  line: number;
  message: string;
}

export interface ParsedGames {
  games: Game[];
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

const RawGameSchema = z
  .object({
    date: present.refine(isCalendarDate, { message: "is not a date in YYYY-MM-DD form" }),
    season: numeric.pipe(z.number().int("must be a whole year")),
    neutral: flag,
    playoff: flag,
    team1: teamCode,
    team2: teamCode,
    elo1_pre: numeric,
    elo2_pre: numeric,
    elo_prob1: numeric.pipe(z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1")),
    score1: numeric.pipe(z.number().int("must be a whole number").min(0, "must not be negative")),
    score2: numeric.pipe(z.number().int("must be a whole number").min(0, "must not be negative")),
  })
  .refine((g) => g.team1 !== g.team2, { message: "team1 and team2 are the same team", path: ["team2"] });

function describeIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string {
  return issues.map((i) => (i.path.length ? `${i.path.map(String).join(".")} ${i.message}` : i.message)).join("; ");
}

function countNewlines(fields: string[]): number {
  let n = 0;
  for (const f of fields) for (let i = f.indexOf("\n"); i !== -1; i = f.indexOf("\n", i + 1)) n++;
  return n;
}

/**
 * Parses games CSV text. A wrong header throws (nothing else in the file can be
 * trusted); a bad row is reported with its line and skipped, so one typo in a
 * 64k-row history does not cost the other rows.
 */
export function parseGamesCsv(text: string): ParsedGames {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const parsed = Papa.parse<string[]>(body, { header: false, skipEmptyLines: false });
  const rows = parsed.data;
  const header = (rows[0] ?? []).map((c) => c.trim());

  const missing = GAME_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new ValidationError(
      `The games CSV header lacks ${missing.join(", ")}; expected the columns ${GAME_COLUMNS.join(",")}.`,
      { header: missing.map((c) => `missing column ${c}`) },
    );
  }
  const index = GAME_COLUMNS.map((c) => header.indexOf(c));
  // Quoted fields may span lines; only then is the line count worth tracking per field.
  const mayHaveMultiline = body.includes('"');

  const games: Game[] = [];
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
    for (let c = 0; c < GAME_COLUMNS.length; c++) raw[GAME_COLUMNS[c]] = fields[index[c]];
    const result = RawGameSchema.safeParse(raw);
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
