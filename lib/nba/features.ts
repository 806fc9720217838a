import { z } from "zod";
import { fieldErrorsFromZod, ValidationError } from "@/lib/errors";
import type { Game } from "@/lib/nba/games";

/**
 * Pre-game features for each game. Every value is computed from games on
 * earlier dates only: all games of one date are featurized before any of them
 * updates team state, so a doubleheader or a same-day result can never leak.
 */

export const NBA_KEY_COLUMNS = ["date", "season", "team1", "team2"] as const;
export const NBA_TARGET_COLUMN = "home_win" as const;

export const NBA_FEATURE_COLUMNS = [
  "elo_diff",
  "elo_prob1",
  "neutral",
  "playoff",
  "rest_days_1",
  "rest_days_2",
  "rest_diff",
  "b2b_1",
  "b2b_2",
  "roll_pd_1",
  "roll_pd_2",
  "roll_pd_diff",
  "roll_win_1",
  "roll_win_2",
  "roll_win_diff",
  "season_win_pct_1",
  "season_win_pct_2",
  "season_win_pct_diff",
  "season_games_1",
  "season_games_2",
] as const;

export type NbaFeatureName = (typeof NBA_FEATURE_COLUMNS)[number];

export type FeatureRow = {
  date: string;
  season: number;
  team1: string;
  team2: string;
  /** 1 when team1 outscored team2. The only column that uses the game's own score. */
  home_win: 0 | 1;
} & Record<NbaFeatureName, number>;

export interface FeatureTable {
  /** CSV header order: keys, features, target. */
  columns: string[];
  rows: FeatureRow[];
}

/**
 * Rest is capped because beyond ~10 days (off-season, All-Star break) extra days
 * say nothing more; a team's first game ever counts as fully rested.
 */
export const REST_DAYS_CAP = 10;
export const DEFAULT_WINDOW = 10;
/**
 * Defaults for a team with no history: an average team (0 point differential,
 * 0.5 win rate). Rolling windows run across seasons: a team's last games of
 * the previous season say more about its opening night than nothing does.
 */
const NO_HISTORY_PD = 0;
const NO_HISTORY_WIN = 0.5;

const OptionsSchema = z
  .object({
    fromSeason: z.number().int().optional(),
    toSeason: z.number().int().optional(),
    window: z.number().int().min(1).max(200).optional(),
  })
  .refine((o) => o.fromSeason === undefined || o.toSeason === undefined || o.fromSeason <= o.toSeason, {
    message: "fromSeason must not be after toSeason",
    path: ["fromSeason"],
  });

export type FeatureOptions = z.input<typeof OptionsSchema>;

const MS_PER_DAY = 86_400_000;

function dayNumber(isoDate: string): number {
  const y = Number(isoDate.slice(0, 4));
  const m = Number(isoDate.slice(5, 7));
  const d = Number(isoDate.slice(8, 10));
  return Math.round(Date.UTC(y, m - 1, d) / MS_PER_DAY);
}

/** Per-team running state; the ring buffers hold the last `window` games. */
class TeamState {
  lastDay: number | null = null;
  season: number | null = null;
  seasonGames = 0;
  seasonWins = 0;
  private readonly pd: Float64Array;
  private readonly win: Uint8Array;
  private count = 0;
  private next = 0;
  private pdSum = 0;
  private winSum = 0;

  constructor(private readonly window: number) {
    this.pd = new Float64Array(window);
    this.win = new Uint8Array(window);
  }

  rollPd(): number {
    return this.count === 0 ? NO_HISTORY_PD : this.pdSum / this.count;
  }

  rollWin(): number {
    return this.count === 0 ? NO_HISTORY_WIN : this.winSum / this.count;
  }

  /** Season-to-date values as seen before a game of `season`. */
  seasonView(season: number): { games: number; winPct: number } {
    if (this.season !== season || this.seasonGames === 0) return { games: 0, winPct: NO_HISTORY_WIN };
    return { games: this.seasonGames, winPct: this.seasonWins / this.seasonGames };
  }

  record(day: number, season: number, pointDiff: number): void {
    const won = pointDiff > 0 ? 1 : 0;
    if (this.count === this.window) {
      this.pdSum -= this.pd[this.next];
      this.winSum -= this.win[this.next];
    } else {
      this.count++;
    }
    this.pd[this.next] = pointDiff;
    this.win[this.next] = won;
    this.pdSum += pointDiff;
    this.winSum += won;
    this.next = (this.next + 1) % this.window;

    if (this.season !== season) {
      this.season = season;
      this.seasonGames = 0;
      this.seasonWins = 0;
    }
    this.seasonGames++;
    this.seasonWins += won;
    this.lastDay = this.lastDay === null ? day : Math.max(this.lastDay, day);
  }
}

function restDays(state: TeamState, day: number): number {
  if (state.lastDay === null) return REST_DAYS_CAP;
  return Math.min(day - state.lastDay, REST_DAYS_CAP);
}

export function buildFeatureTable(games: readonly Game[], opts: FeatureOptions = {}): FeatureTable {
  const parsedOpts = OptionsSchema.safeParse(opts);
  if (!parsedOpts.success) {
    throw new ValidationError("Invalid feature options.", fieldErrorsFromZod(parsedOpts.error.issues));
  }
  const { fromSeason, toSeason } = parsedOpts.data;
  const window = parsedOpts.data.window ?? DEFAULT_WINDOW;

  // Sort by date, keeping input order within a date (Array#sort is stable).
  const ordered = games.slice().sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const teams = new Map<string, TeamState>();
  const stateOf = (team: string): TeamState => {
    let s = teams.get(team);
    if (!s) {
      s = new TeamState(window);
      teams.set(team, s);
    }
    return s;
  };

  const rows: FeatureRow[] = [];
  let start = 0;
  while (start < ordered.length) {
    let end = start + 1;
    while (end < ordered.length && ordered[end].date === ordered[start].date) end++;
    const day = dayNumber(ordered[start].date);

    for (let i = start; i < end; i++) {
      const g = ordered[i];
      if ((fromSeason !== undefined && g.season < fromSeason) || (toSeason !== undefined && g.season > toSeason)) continue;
      rows.push(featurize(g, day, stateOf(g.team1), stateOf(g.team2)));
    }
    // Only now does this date's outcome become history.
    for (let i = start; i < end; i++) {
      const g = ordered[i];
      stateOf(g.team1).record(day, g.season, g.score1 - g.score2);
      stateOf(g.team2).record(day, g.season, g.score2 - g.score1);
    }
    start = end;
  }

  return { columns: [...NBA_KEY_COLUMNS, ...NBA_FEATURE_COLUMNS, NBA_TARGET_COLUMN], rows };
}

function featurize(g: Game, day: number, t1: TeamState, t2: TeamState): FeatureRow {
  const rest1 = restDays(t1, day);
  const rest2 = restDays(t2, day);
  const pd1 = t1.rollPd();
  const pd2 = t2.rollPd();
  const win1 = t1.rollWin();
  const win2 = t2.rollWin();
  const s1 = t1.seasonView(g.season);
  const s2 = t2.seasonView(g.season);
  return {
    date: g.date,
    season: g.season,
    team1: g.team1,
    team2: g.team2,
    elo_diff: g.elo1_pre - g.elo2_pre,
    elo_prob1: g.elo_prob1,
    neutral: g.neutral,
    playoff: g.playoff,
    rest_days_1: rest1,
    rest_days_2: rest2,
    rest_diff: rest1 - rest2,
    b2b_1: rest1 === 1 ? 1 : 0,
    b2b_2: rest2 === 1 ? 1 : 0,
    roll_pd_1: pd1,
    roll_pd_2: pd2,
    roll_pd_diff: pd1 - pd2,
    roll_win_1: win1,
    roll_win_2: win2,
    roll_win_diff: win1 - win2,
    season_win_pct_1: s1.winPct,
    season_win_pct_2: s2.winPct,
    season_win_pct_diff: s1.winPct - s2.winPct,
    season_games_1: s1.games,
    season_games_2: s2.games,
    home_win: g.score1 > g.score2 ? 1 : 0,
  };
}

/** Six decimals keep the file small and strip float noise such as 0.30000000000000004. */
function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1e6) / 1e6);
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(table: FeatureTable): string {
  const out: string[] = [table.columns.map(csvField).join(",")];
  for (const row of table.rows) {
    const cells = table.columns.map((c) => {
      const v = (row as Record<string, string | number>)[c];
      return typeof v === "number" ? formatNumber(v) : csvField(v);
    });
    out.push(cells.join(","));
  }
  return out.join("\n") + "\n";
}
