import { z } from "zod";
import { fieldErrorsFromZod, ValidationError } from "@/lib/errors";
import { checkEloGames, EloTracker, seasonOfDate } from "@/lib/nba/elo";
import { isCalendarDate, type Game, type GameRecord } from "@/lib/nba/games";

/**
 * Pre-game features for each game. Every value is computed from games on
 * earlier dates only: all games of one date are featurized before any of them
 * updates team state, so a doubleheader or a same-day result can never leak.
 * The same walk featurizes requested games (forecasts) at their date, from the
 * results before it, without ever recording them.
 */

export const NBA_KEY_COLUMNS = ["date", "season", "team1", "team2"] as const;
export const NBA_TARGET_COLUMN = "home_win" as const;

/** FiveThirtyEight's published pre-game Elo, copied from the games file: only games in a file that has it get it. */
export const FIVETHIRTYEIGHT_FEATURES = ["elo_diff", "elo_prob1"] as const;

/** The product's own Elo (lib/nba/elo.ts) entering the game: ratings, their difference and team 1's chance. */
export const OWN_ELO_FEATURES = ["own_elo_1", "own_elo_2", "own_elo_diff", "own_elo_prob1"] as const;

/** Court, stage, rest and recent form, from dates and results. */
export const RESULT_FEATURES = [
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

/** What the product computes from game results alone, for any date: every feature a forecast can give a model. */
export const FORECAST_FEATURES = [...OWN_ELO_FEATURES, ...RESULT_FEATURES] as const;

export const NBA_FEATURE_COLUMNS = [...FIVETHIRTYEIGHT_FEATURES, ...FORECAST_FEATURES] as const;

export type NbaFeatureName = (typeof NBA_FEATURE_COLUMNS)[number];
export type ForecastFeatureName = (typeof FORECAST_FEATURES)[number];
type FiveThirtyEightFeature = (typeof FIVETHIRTYEIGHT_FEATURES)[number];

/** Win-probability columns a feature table may carry, best Elo baseline first (the product's own, then FiveThirtyEight's). */
export const ELO_BASELINE_COLUMNS = ["own_elo_prob1", "elo_prob1"] as const;

interface KeyFields {
  date: string;
  season: number;
  team1: string;
  team2: string;
}

/** A game's row when the games carry FiveThirtyEight's Elo. */
export type FeatureRow = KeyFields & {
  /** 1 when team1 outscored team2. The only column that uses the game's own score. */
  home_win: 0 | 1;
} & Record<NbaFeatureName, number>;

/** A game's row from a games dataset: FiveThirtyEight's columns only when every game has them. */
export type ResultFeatureRow = KeyFields & { home_win: 0 | 1 } & Record<ForecastFeatureName, number> &
  Partial<Record<FiveThirtyEightFeature, number>>;

/** A requested game's row: no result, so no target. */
export type QueryFeatureRow = KeyFields & Record<ForecastFeatureName, number>;

export interface FeatureTable<R extends ResultFeatureRow = FeatureRow> {
  /** CSV header order: keys, features, target. */
  columns: string[];
  rows: R[];
}

/** A game to featurize at its date: a forecast's question. */
export interface GameQuery {
  date: string;
  team1: string;
  team2: string;
  neutral?: 0 | 1;
  playoff?: 0 | 1;
  /** Season the game belongs to; by default the one the games file has around that date (see seasonForDate). */
  season?: number;
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

/**
 * One row per game (in date order, filtered by season) with its pre-game
 * features and result. FiveThirtyEight's Elo columns are included when every
 * game carries them.
 */
export function buildFeatureTable(games: readonly Game[], opts?: FeatureOptions): FeatureTable<FeatureRow>;
export function buildFeatureTable(games: readonly GameRecord[], opts?: FeatureOptions): FeatureTable<ResultFeatureRow>;
export function buildFeatureTable(games: readonly GameRecord[], opts: FeatureOptions = {}): FeatureTable<ResultFeatureRow> {
  const options = parseOptions(opts);
  const fiveThirtyEight = games.length > 0 && games.every(hasFiveThirtyEightElo);
  const { rows } = walk(games, options, [], fiveThirtyEight, true);
  const features = fiveThirtyEight ? NBA_FEATURE_COLUMNS : FORECAST_FEATURES;
  return { columns: [...NBA_KEY_COLUMNS, ...features, NBA_TARGET_COLUMN], rows };
}

/**
 * Features of requested games, in request order, each computed from the
 * results strictly before its date, by the same walk as buildFeatureTable; the
 * requested games never become history. Only results-based features: there is
 * no published FiveThirtyEight forecast for a game it never rated.
 */
export function featurizeQueries(games: readonly GameRecord[], queries: readonly GameQuery[], opts: Pick<FeatureOptions, "window"> = {}): QueryFeatureRow[] {
  const options = parseOptions(opts);
  queries.forEach((q, i) => {
    const invalid = (field: string, message: string) => new ValidationError(`Game ${i + 1}: ${field} ${message}.`, { [`games.${i}.${field}`]: [message] });
    if (!isCalendarDate(q.date)) throw invalid("date", "is not a YYYY-MM-DD calendar date");
    if (!q.team1 || !q.team2) throw invalid("team1", "and team2 are both needed");
    if (q.team1 === q.team2) throw invalid("team2", "is the same team as team1");
    if (q.season !== undefined && !Number.isInteger(q.season)) throw invalid("season", "is not a whole year");
  });
  return walk(games, options, queries, false, false).queryRows;
}

/**
 * Season of a game on `date` that the file does not list: that of the file's
 * first game on or after the date (the schedule says which season it is), else,
 * past the last game, the later of the last game's season and the calendar's
 * (August onwards names next year). The same rule as ratingsAsOf.
 */
export function seasonForDate(sortedGames: readonly { date: string; season: number }[], date: string): number {
  let lo = 0;
  let hi = sortedGames.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedGames[mid].date < date) lo = mid + 1;
    else hi = mid;
  }
  if (lo < sortedGames.length) {
    // Several games may share that date; the smallest season among them, as ratingsAsOf takes.
    let season = sortedGames[lo].season;
    for (let i = lo + 1; i < sortedGames.length && sortedGames[i].date === sortedGames[lo].date; i++) season = Math.min(season, sortedGames[i].season);
    return season;
  }
  const last = sortedGames.at(-1)?.season ?? -Infinity;
  return Math.max(last, seasonOfDate(date));
}

function hasFiveThirtyEightElo(g: GameRecord): boolean {
  return Number.isFinite(g.elo1_pre) && Number.isFinite(g.elo2_pre) && Number.isFinite(g.elo_prob1);
}

interface WalkOptions {
  fromSeason?: number;
  toSeason?: number;
  window: number;
}

function parseOptions(opts: FeatureOptions): WalkOptions {
  const parsedOpts = OptionsSchema.safeParse(opts);
  if (!parsedOpts.success) {
    throw new ValidationError("Invalid feature options.", fieldErrorsFromZod(parsedOpts.error.issues));
  }
  return { ...parsedOpts.data, window: parsedOpts.data.window ?? DEFAULT_WINDOW };
}

const byDate = (a: { date: string }, b: { date: string }) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0);

/**
 * The one pass over the games, date by date. At each date: first the requested
 * games up to it are featurized (they see only earlier dates' results), then the
 * date's own games, then the date's results become history.
 */
function walk(
  games: readonly GameRecord[],
  { fromSeason, toSeason, window }: WalkOptions,
  queries: readonly GameQuery[],
  fiveThirtyEight: boolean,
  gameRows: boolean,
): { rows: ResultFeatureRow[]; queryRows: QueryFeatureRow[] } {
  checkEloGames(games);
  // Sort by date, keeping input order within a date (Array#sort is stable).
  const ordered = games.slice().sort(byDate);
  const elo = new EloTracker();
  const teams = new Map<string, TeamState>();
  const stateOf = (team: string): TeamState => {
    let s = teams.get(team);
    if (!s) {
      s = new TeamState(window);
      teams.set(team, s);
    }
    return s;
  };

  const queryOrder = queries.map((_, i) => i).sort((a, b) => byDate(queries[a], queries[b]) || a - b);
  const queryRows = new Array<QueryFeatureRow>(queries.length);
  let nextQuery = 0;
  /** Featurizes the requested games dated up to `date` (all of them when null) from the history so far. */
  const answerQueries = (date: string | null) => {
    for (; nextQuery < queryOrder.length; nextQuery++) {
      const i = queryOrder[nextQuery];
      const q = queries[i];
      if (date !== null && q.date > date) break;
      const season = q.season ?? seasonForDate(ordered, q.date);
      const game = { date: q.date, season, team1: q.team1, team2: q.team2, neutral: q.neutral ?? 0, playoff: q.playoff ?? 0 };
      const { elo1, elo2, prob1 } = elo.preview(game);
      queryRows[i] = featurize(game, dayNumber(q.date), stateOf(q.team1), stateOf(q.team2), elo1, elo2, prob1);
    }
  };

  const rows: ResultFeatureRow[] = [];
  let start = 0;
  while (start < ordered.length) {
    let end = start + 1;
    while (end < ordered.length && ordered[end].date === ordered[start].date) end++;
    const date = ordered[start].date;
    const day = dayNumber(date);
    answerQueries(date);
    // Answering requested games needs only the history before the last of them.
    if (!gameRows && nextQuery === queryOrder.length) break;

    const group = ordered.slice(start, end);
    const rated = elo.playDate(group);
    group.forEach((g, k) => {
      if (!gameRows) return;
      if ((fromSeason !== undefined && g.season < fromSeason) || (toSeason !== undefined && g.season > toSeason)) return;
      const r = rated[k];
      const row: ResultFeatureRow = {
        ...featurize(g, day, stateOf(g.team1), stateOf(g.team2), r.elo1_pre, r.elo2_pre, r.prob1),
        home_win: g.score1 > g.score2 ? 1 : 0,
      };
      if (fiveThirtyEight) {
        row.elo_diff = (g.elo1_pre as number) - (g.elo2_pre as number);
        row.elo_prob1 = g.elo_prob1 as number;
      }
      rows.push(row);
    });
    // Only now does this date's outcome become history.
    for (const g of group) {
      stateOf(g.team1).record(day, g.season, g.score1 - g.score2);
      stateOf(g.team2).record(day, g.season, g.score2 - g.score1);
    }
    start = end;
  }
  answerQueries(null);
  return { rows, queryRows };
}

function featurize(
  g: KeyFields & { neutral: 0 | 1; playoff: 0 | 1 },
  day: number,
  t1: TeamState,
  t2: TeamState,
  elo1: number,
  elo2: number,
  prob1: number,
): QueryFeatureRow {
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
    own_elo_1: elo1,
    own_elo_2: elo2,
    own_elo_diff: elo1 - elo2,
    own_elo_prob1: prob1,
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
  };
}

/** Six decimals keep the file small and strip float noise such as 0.30000000000000004. */
function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1e6) / 1e6);
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(table: FeatureTable<ResultFeatureRow>): string {
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
