import { z } from "zod";
import { fieldErrorsFromZod, ValidationError } from "@/lib/errors";
import { isCalendarDate, type Game } from "@/lib/nba/games";

/**
 * Team Elo ratings computed by the product itself, following FiveThirtyEight's
 * published NBA method ("How We Calculate NBA Elo Ratings", 2015; their data
 * is CC BY 4.0). FiveThirtyEight no longer publishes Elo, so this is how new
 * seasons get ratings. Pure functions, no I/O; the same games give the same
 * numbers in any input order.
 *
 * Leak-free by construction: every game of a date is rated with the ratings
 * entering that date, and only then do that date's results move any rating.
 */

/**
 * The method's constants, as published and as confirmed game by game against
 * FiveThirtyEight's own historical ratings (see bench/elo-check.md):
 *
 * - k: rating points at stake per game before the margin multiplier; the same
 *   in the playoffs (their ratings move by K = 20 in playoff games too).
 * - homeAdvantage: added to the home team's rating in the win probability and
 *   in the margin multiplier's rating difference; none on a neutral court.
 * - newTeamRating: a team's rating entering its first game, for the 1946-47
 *   teams and for every expansion team since.
 * - seasonMean, seasonCarry: between seasons a rating keeps 75% of its distance
 *   from 1505 (new = 0.75 * old + 0.25 * 1505). 1505 rather than 1500 because
 *   1300-rated expansion teams pull the league average slightly down.
 * - mov*: margin-of-victory multiplier (margin + 3)^0.8 / (7.5 + 0.006 * d),
 *   d = winner's rating minus loser's, home advantage included. The +3 keeps
 *   1-point wins from counting for almost nothing; the d term damps the gains
 *   of favourites, who win big more often (autocorrelation).
 */
export const NBA_ELO = {
  k: 20,
  homeAdvantage: 100,
  newTeamRating: 1300,
  seasonMean: 1505,
  seasonCarry: 0.75,
  movOffset: 3,
  movExponent: 0.8,
  movBase: 7.5,
  movPerEloPoint: 0.006,
} as const;

/**
 * Team codes (Basketball-Reference ids, as in the shared history file) that
 * belong to one franchise, oldest first, keyed by the franchise's latest code.
 * A franchise keeps its rating through a move or a new name; ABA teams keep
 * theirs into the NBA. Codes not listed are franchises of their own.
 */
export const NBA_FRANCHISES: Readonly<Record<string, readonly string[]>> = {
  ATL: ["TRI", "MLH", "STL", "ATL"],
  BRK: ["NJA", "NYA", "NYN", "NJN", "BRK"],
  DEN: ["DNR", "DNA", "DEN"],
  DET: ["FTW", "DET"],
  FLO: ["MNM", "MMF", "FLO"],
  GSW: ["PHW", "SFW", "GSW"],
  HOU: ["SDR", "HOU"],
  IND: ["INA", "IND"],
  LAC: ["BUF", "SDC", "LAC"],
  LAL: ["MNL", "LAL"],
  MEM: ["VAN", "MEM"],
  MMS: ["NOB", "MMP", "MMT", "MMS"],
  // Charlotte 1988-2002 moved to New Orleans; the rating follows the team, not the name.
  NOP: ["CHH", "NOP", "NOK"],
  OKC: ["SEA", "OKC"],
  PHI: ["SYR", "PHI"],
  // Pittsburgh, then Minnesota for a season, then Pittsburgh again.
  PTC: ["PTP", "MNP", "PTC"],
  SAC: ["ROC", "CIN", "KCO", "KCK", "SAC"],
  // Dallas, then "Texas" for a season, then Dallas again, then San Antonio.
  SAS: ["DLC", "TEX", "SAA", "SAS"],
  SDS: ["SDA", "SDS"],
  SSL: ["HSM", "CAR", "SSL"],
  UTA: ["NOJ", "UTA"],
  UTS: ["ANA", "LAS", "UTS"],
  VIR: ["OAK", "WSA", "VIR"],
  WAS: ["CHP", "CHZ", "BAL", "CAP", "WSB", "WAS"],
};

/** What the ratings need from a game; the file's own Elo columns are never read. */
export type EloGame = Pick<Game, "date" | "season" | "neutral" | "team1" | "team2" | "score1" | "score2">;

export interface RatedGame {
  date: string;
  season: number;
  team1: string;
  team2: string;
  /** Ratings entering the game's date (carry-over applied on a team's first game of a season). */
  elo1_pre: number;
  elo2_pre: number;
  /** Team 1's win probability from the pre-game ratings and home court. */
  prob1: number;
  /** Pre-game rating plus this game's change. */
  elo1_post: number;
  elo2_post: number;
}

export interface TeamRating {
  /** The code the franchise used in its latest game. */
  team: string;
  /** Key in the franchise table (the team's own code when it is not listed). */
  franchise: string;
  rating: number;
  lastGameDate: string;
  lastSeason: number;
  games: number;
}

export interface RatingsSnapshot {
  /** Ratings are those entering this date: games on it or later are not counted. */
  date: string;
  /** Season the ratings are for; carry-over is applied to teams last seen in an earlier one. */
  season: number;
  /** Every franchise with a game before `date`, by team code. Defunct teams stay listed; filter on lastSeason. */
  teams: TeamRating[];
  /** Rating by every code of a listed franchise (used in the data or in the franchise table), so old and new codes find the team. */
  byCode: Record<string, number>;
}

const OptionsSchema = z.object({
  k: z.number().positive().optional(),
  homeAdvantage: z.number().min(0).optional(),
  newTeamRating: z.number().positive().optional(),
  seasonMean: z.number().positive().optional(),
  seasonCarry: z.number().min(0).max(1).optional(),
  movOffset: z.number().min(0).optional(),
  movExponent: z.number().positive().optional(),
  movBase: z.number().positive().optional(),
  movPerEloPoint: z.number().min(0).optional(),
  /** Franchise table; pass {} to treat every code as its own team. */
  franchises: z.record(z.string(), z.array(z.string()).readonly()).optional(),
  /**
   * Rating entering a franchise's first game in the data, by the code it plays
   * that game under, instead of newTeamRating: for teams that came from a
   * league the data lacks, or to continue from a published table when the data
   * starts mid-history.
   */
  initialRatings: z.record(z.string(), z.number().positive()).optional(),
});

export type EloOptions = z.input<typeof OptionsSchema>;

interface Params {
  k: number;
  homeAdvantage: number;
  newTeamRating: number;
  seasonMean: number;
  seasonCarry: number;
  movOffset: number;
  movExponent: number;
  movBase: number;
  movPerEloPoint: number;
  franchiseOf: ReadonlyMap<string, string>;
  codesOf: ReadonlyMap<string, readonly string[]>;
  initialRatings: Readonly<Record<string, number>>;
}

function resolveOptions(options: EloOptions): Params {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw new ValidationError("Invalid Elo options.", fieldErrorsFromZod(parsed.error.issues));
  const o = parsed.data;
  const franchiseOf = new Map<string, string>();
  const codesOf = new Map<string, readonly string[]>(Object.entries(o.franchises ?? NBA_FRANCHISES));
  for (const [franchise, codes] of codesOf) {
    for (const code of codes) {
      const already = franchiseOf.get(code);
      if (already !== undefined && already !== franchise) {
        throw new ValidationError(`Team code ${code} is in two franchises, ${already} and ${franchise}.`, { franchises: [code] });
      }
      franchiseOf.set(code, franchise);
    }
  }
  return {
    k: o.k ?? NBA_ELO.k,
    homeAdvantage: o.homeAdvantage ?? NBA_ELO.homeAdvantage,
    newTeamRating: o.newTeamRating ?? NBA_ELO.newTeamRating,
    seasonMean: o.seasonMean ?? NBA_ELO.seasonMean,
    seasonCarry: o.seasonCarry ?? NBA_ELO.seasonCarry,
    movOffset: o.movOffset ?? NBA_ELO.movOffset,
    movExponent: o.movExponent ?? NBA_ELO.movExponent,
    movBase: o.movBase ?? NBA_ELO.movBase,
    movPerEloPoint: o.movPerEloPoint ?? NBA_ELO.movPerEloPoint,
    franchiseOf,
    codesOf,
    initialRatings: o.initialRatings ?? {},
  };
}

/** Team 1's chance of winning; home court counts unless the game is on a neutral court. */
export function winProbability(
  elo1: number,
  elo2: number,
  { neutral = false, homeAdvantage = NBA_ELO.homeAdvantage }: { neutral?: boolean; homeAdvantage?: number } = {},
): number {
  const diff = elo1 - elo2 + (neutral ? 0 : homeAdvantage);
  return 1 / (1 + 10 ** (-diff / 400));
}

/**
 * How much a result counts: grows with the winning margin, shrinks as the
 * winner's edge `winnerEloDiff` (winner minus loser, home court included) grows.
 */
export function marginOfVictoryMultiplier(
  margin: number,
  winnerEloDiff: number,
  params: Pick<Params, "movOffset" | "movExponent" | "movBase" | "movPerEloPoint"> = NBA_ELO,
): number {
  const damping = params.movBase + params.movPerEloPoint * winnerEloDiff;
  // Only an underdog rated ~1250 points below its opponent gets here: such ratings are broken input.
  if (!(damping > 0)) throw new RangeError(`Elo difference ${winnerEloDiff} is outside what the margin multiplier allows.`);
  return (Math.abs(margin) + params.movOffset) ** params.movExponent / damping;
}

/** Rating change of team 1 (team 2's is the negative); zero-sum as in the method. */
function ratingShift(elo1: number, elo2: number, g: EloGame, p: Params): { prob1: number; shift1: number } {
  const home = g.neutral === 1 ? 0 : p.homeAdvantage;
  const prob1 = winProbability(elo1, elo2, { neutral: g.neutral === 1, homeAdvantage: p.homeAdvantage });
  const margin = g.score1 - g.score2;
  // Ties never happen in the NBA; one counts as half a win with no favourite to damp.
  const result1 = margin > 0 ? 1 : margin < 0 ? 0 : 0.5;
  const edge1 = elo1 + home - elo2;
  const winnerEdge = margin > 0 ? edge1 : margin < 0 ? -edge1 : 0;
  return { prob1, shift1: p.k * marginOfVictoryMultiplier(margin, winnerEdge, p) * (result1 - prob1) };
}

interface FranchiseState {
  team: string;
  codes: Set<string>;
  rating: number;
  lastGameDate: string;
  lastSeason: number;
  games: number;
}

/** Running ratings of every franchise seen so far. */
class League {
  private readonly franchises = new Map<string, FranchiseState>();

  constructor(private readonly p: Params) {}

  franchiseOf(code: string): string {
    return this.p.franchiseOf.get(code) ?? code;
  }

  /** Rating entering a game of `season`: reverted once per season boundary since the team last played. */
  ratingFor(code: string, season: number): number {
    const state = this.franchises.get(this.franchiseOf(code));
    if (!state) return this.p.initialRatings[code] ?? this.p.newTeamRating;
    return this.reverted(state, season);
  }

  private reverted(state: FranchiseState, season: number): number {
    const seasonsPassed = season - state.lastSeason;
    if (seasonsPassed <= 0) return state.rating;
    return this.p.seasonMean + (state.rating - this.p.seasonMean) * this.p.seasonCarry ** seasonsPassed;
  }

  /** Rates one date's games from the ratings entering it, then applies all their results. */
  playDate(games: readonly EloGame[], indices: readonly number[], out: (index: number, rated: RatedGame) => void): void {
    const pending = new Map<string, { team: string; codes: Set<string>; pre: number; season: number; shift: number; games: number }>();
    for (const i of indices) {
      const g = games[i];
      const elo1 = this.ratingFor(g.team1, g.season);
      const elo2 = this.ratingFor(g.team2, g.season);
      const { prob1, shift1 } = ratingShift(elo1, elo2, g, this.p);
      out(i, { date: g.date, season: g.season, team1: g.team1, team2: g.team2, elo1_pre: elo1, elo2_pre: elo2, prob1, elo1_post: elo1 + shift1, elo2_post: elo2 - shift1 });
      for (const [team, pre, shift] of [[g.team1, elo1, shift1], [g.team2, elo2, -shift1]] as const) {
        const franchise = this.franchiseOf(team);
        const entry = pending.get(franchise) ?? { team, codes: new Set<string>(), pre, season: g.season, shift: 0, games: 0 };
        entry.team = team;
        entry.codes.add(team);
        entry.shift += shift;
        entry.games += 1;
        pending.set(franchise, entry);
      }
    }
    const date = games[indices[0]].date;
    for (const [franchise, entry] of pending) {
      const state = this.franchises.get(franchise) ?? { team: entry.team, codes: new Set<string>(), rating: entry.pre, lastGameDate: date, lastSeason: entry.season, games: 0 };
      state.team = entry.team;
      for (const code of entry.codes) state.codes.add(code);
      state.rating = entry.pre + entry.shift;
      state.lastGameDate = date;
      state.lastSeason = entry.season;
      state.games += entry.games;
      this.franchises.set(franchise, state);
    }
  }

  snapshot(date: string, season: number): RatingsSnapshot {
    const teams: TeamRating[] = [];
    const byCode: Record<string, number> = {};
    for (const [franchise, state] of this.franchises) {
      const rating = this.reverted(state, season);
      teams.push({ team: state.team, franchise, rating, lastGameDate: state.lastGameDate, lastSeason: state.lastSeason, games: state.games });
      for (const code of [...state.codes, ...(this.p.codesOf.get(franchise) ?? [])]) byCode[code] = rating;
    }
    teams.sort((a, b) => (a.team < b.team ? -1 : a.team > b.team ? 1 : 0));
    return { date, season, teams, byCode };
  }
}

/**
 * Input positions in date order, input order within a date. Also checks what
 * the ratings rely on: real dates, two different teams, scores, and that no
 * franchise goes back to an earlier season.
 */
function dateOrder(games: readonly EloGame[], p: Params): number[] {
  const invalid = (i: number, field: string, message: string): ValidationError => {
    const g = games[i];
    return new ValidationError(`Game ${i + 1} (${g.date} ${g.team1}-${g.team2}): ${field} ${message}.`, { [`games.${i}.${field}`]: [message] });
  };
  games.forEach((g, i) => {
    if (!isCalendarDate(g.date)) throw invalid(i, "date", "is not a YYYY-MM-DD calendar date");
    if (!Number.isInteger(g.season)) throw invalid(i, "season", "is not a whole year");
    if (!Number.isFinite(g.score1)) throw invalid(i, "score1", "is not a number");
    if (!Number.isFinite(g.score2)) throw invalid(i, "score2", "is not a number");
    const franchise = p.franchiseOf.get(g.team1) ?? g.team1;
    if (franchise === (p.franchiseOf.get(g.team2) ?? g.team2)) throw invalid(i, "team2", `is the same franchise as team1 (${franchise})`);
  });
  const order = games.map((_, i) => i).sort((a, b) => (games[a].date < games[b].date ? -1 : games[a].date > games[b].date ? 1 : a - b));
  const lastSeason = new Map<string, { season: number; date: string }>();
  for (const i of order) {
    const g = games[i];
    for (const code of [g.team1, g.team2]) {
      const franchise = p.franchiseOf.get(code) ?? code;
      const last = lastSeason.get(franchise);
      if (last && g.season < last.season) {
        throw invalid(i, "season", `goes backwards: ${code} played season ${last.season} on ${last.date}`);
      }
      lastSeason.set(franchise, { season: g.season, date: g.date });
    }
  }
  return order;
}

/** Each date's positions in `order`, dates ascending. */
function* dateGroups(games: readonly EloGame[], order: readonly number[]): Generator<{ date: string; indices: number[] }> {
  let start = 0;
  while (start < order.length) {
    const date = games[order[start]].date;
    let end = start + 1;
    while (end < order.length && games[order[end]].date === date) end++;
    yield { date, indices: order.slice(start, end) };
    start = end;
  }
}

/**
 * Pre-game ratings, win probability and post-game ratings for every game,
 * returned in the input's order.
 */
export function computeElo(games: readonly EloGame[], options: EloOptions = {}): RatedGame[] {
  const p = resolveOptions(options);
  const order = dateOrder(games, p);
  const league = new League(p);
  const rated = new Array<RatedGame>(games.length);
  for (const { indices } of dateGroups(games, order)) league.playDate(games, indices, (i, r) => (rated[i] = r));
  return rated;
}

/**
 * Checks games the way computeElo does (real dates, scores, two franchises, no
 * franchise going back a season) and throws the same ValidationError.
 */
export function checkEloGames(games: readonly EloGame[], options: EloOptions = {}): void {
  dateOrder(games, resolveOptions(options));
}

/**
 * Ratings as results come in, one date at a time, for callers that keep other
 * per-team state beside them (the feature table): a game's Elo is then read at
 * the same moment as its other features. Dates must be played in ascending
 * order; check the games with checkEloGames first.
 */
export class EloTracker {
  private readonly p: Params;
  private readonly league: League;

  constructor(options: EloOptions = {}) {
    this.p = resolveOptions(options);
    this.league = new League(this.p);
  }

  /** Ratings entering a game of `season` played now, and team 1's chance; records nothing. */
  preview(g: Pick<EloGame, "team1" | "team2" | "season" | "neutral">): { elo1: number; elo2: number; prob1: number } {
    const elo1 = this.league.ratingFor(g.team1, g.season);
    const elo2 = this.league.ratingFor(g.team2, g.season);
    return { elo1, elo2, prob1: winProbability(elo1, elo2, { neutral: g.neutral === 1, homeAdvantage: this.p.homeAdvantage }) };
  }

  /** Rates one date's games from the ratings entering it, then applies all their results; in input order. */
  playDate(games: readonly EloGame[]): RatedGame[] {
    const rated = new Array<RatedGame>(games.length);
    if (games.length > 0) this.league.playDate(games, games.map((_, i) => i), (i, r) => (rated[i] = r));
    return rated;
  }
}

/**
 * Season of a calendar date when no game says otherwise: NBA seasons are named
 * by the year they end and start in the autumn, so August onwards is next year's.
 */
export function seasonOfDate(date: string): number {
  const year = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) >= 8 ? year + 1 : year;
}

/**
 * Every team's rating entering `date`, from games strictly before it. The
 * season is that of the first game on or after `date`; past the last game it
 * is the last game's season, or the calendar's if that is later, so an
 * off-season date gets the carry-over. Pass `season` to say it outright.
 * Replays the whole history; for the dates of known games, computeElo's
 * pre-game ratings are the same numbers at once.
 */
export function ratingsAsOf(games: readonly EloGame[], date: string, options: EloOptions & { season?: number } = {}): RatingsSnapshot {
  if (!isCalendarDate(date)) throw new ValidationError(`"${date}" is not a YYYY-MM-DD calendar date.`, { date: ["is not a YYYY-MM-DD calendar date"] });
  if (options.season !== undefined && !Number.isInteger(options.season)) {
    throw new ValidationError("season must be a whole year.", { season: ["must be a whole year"] });
  }
  const { season: requestedSeason, ...eloOptions } = options;
  const p = resolveOptions(eloOptions);
  const order = dateOrder(games, p);
  const league = new League(p);
  let nextSeason: number | null = null;
  let lastSeason: number | null = null;
  for (const group of dateGroups(games, order)) {
    if (group.date >= date) {
      nextSeason = Math.min(...group.indices.map((i) => games[i].season));
      break;
    }
    league.playDate(games, group.indices, () => {});
    lastSeason = Math.max(...group.indices.map((i) => games[i].season));
  }
  const season = requestedSeason ?? nextSeason ?? Math.max(lastSeason ?? -Infinity, seasonOfDate(date));
  return league.snapshot(date, season);
}
