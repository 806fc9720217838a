import { z } from "zod";
import { fieldErrorsFromZod, ValidationError } from "@/lib/errors";
import { GAME_COLUMNS, type Game } from "@/lib/nba/games";
import { Prng } from "@/lib/ml/random";

/**
 * NBA-like seasons from a seed, in the same raw layout as the historical file,
 * so the product can demo, test and benchmark without third-party data.
 *
 * Each team has a hidden strength in points per game (its true margin against
 * an average team). Results come from strengths plus home court plus noise; the
 * generator also runs its own Elo, so elo1_pre, elo2_pre and elo_prob1 are
 * what a forecaster could have known before each game, as in the real file.
 */

/** Points the home team gains; with the spreads below home teams win ~59%. */
const HOME_COURT_POINTS = 3;
/** Game-to-game margin noise; the NBA's is about 12 points. */
const MARGIN_SD = 12;
const TOTAL_POINTS_SD = 14;
const LEAGUE_PACE_MEAN = 100;
const LEAGUE_PACE_SD = 2;
/** Spread of team strengths (points per game), stationary across seasons. */
const STRENGTH_SD = 4.5;
/** Off-season: strength keeps 70% of itself plus a shock sized to keep STRENGTH_SD. */
const OFFSEASON_CARRY = 0.7;
const OFFSEASON_SHOCK_SD = STRENGTH_SD * Math.sqrt(1 - OFFSEASON_CARRY ** 2);
/** In-season drift per day: injuries, trades, form (about 1 point over a season). */
const DAILY_DRIFT_SD = 0.08;

/** FiveThirtyEight-style Elo constants. */
const ELO_K = 20;
const ELO_HOME = 100;
const ELO_MEAN = 1505;
const ELO_CARRY = 0.75;
/** About 28 Elo points per point of margin; the opening prior knows part of the truth. */
const ELO_PER_POINT = 28;

const REGULAR_SEASON_DAYS = 170;
/** Chance a game is allowed to be the second night of a back-to-back. */
const BACK_TO_BACK_ACCEPT = 0.35;
/** How far ahead of the queue the day planner may pull a game (about three rounds). */
const LOOKAHEAD_ROUNDS = 3;
const PLAYOFF_SERIES_WINS = 4;
/** 2-2-1-1-1: the better seed hosts games 1, 2, 5 and 7. */
const HIGHER_SEED_HOSTS = [true, true, false, false, true, false, true];
const MAX_PLAYOFF_TEAMS = 16;

const TEAM_CODES = [
  "ASH", "BAY", "CAP", "DUN", "ELM", "FOX", "GLN", "HAR", "IRN", "JAD",
  "KIN", "LKS", "MES", "NOR", "OAK", "PIN", "QUA", "RIV", "SUM", "TID",
  "UNI", "VAL", "WOL", "XEN", "YAR", "ZEP", "AUR", "BLZ", "COR", "DRK",
];

const OptionsSchema = z.object({
  seed: z.number().int(),
  seasons: z.number().int().min(1).max(100),
  teams: z.number().int().min(2).max(60).default(30),
  /** Label of the first season, named like the real file by the year it ends. */
  startYear: z.number().int().min(1900).max(2200).default(2001),
  gamesPerTeam: z.number().int().min(1).max(200).default(82),
  /** A best-of-7 bracket after each regular season (about 6% of games, as in the NBA). */
  playoffs: z.boolean().default(true),
});

export type GeneratorOptions = z.input<typeof OptionsSchema>;

interface Matchup {
  home: number;
  away: number;
}

interface ScheduledGame extends Matchup {
  day: number;
}

function teamCode(i: number): string {
  return i < TEAM_CODES.length ? TEAM_CODES[i] : `T${String(i + 1).padStart(2, "0")}`;
}

/** One full round robin (circle method) over a fresh random labeling, rounds in random order. */
function roundRobinCycle(rng: Prng, teams: number): Matchup[][] {
  const arr: number[] = rng.shuffle(Array.from({ length: teams }, (_, i) => i));
  if (arr.length % 2 === 1) arr.push(-1); // -1 is the bye
  const m = arr.length;
  const rounds: Matchup[][] = [];
  for (let r = 0; r < m - 1; r++) {
    const pairs: Matchup[] = [];
    for (let i = 0; i < m / 2; i++) {
      const a = arr[i];
      const b = arr[m - 1 - i];
      if (a >= 0 && b >= 0) pairs.push({ home: a, away: b });
    }
    rounds.push(rng.shuffle(pairs));
    arr.splice(1, 0, arr.pop() as number);
  }
  return rng.shuffle(rounds);
}

/**
 * Repeated round robins until every team has its games, so each pair meets a
 * similar number of times; home court goes to whichever team has hosted less.
 */
function regularSeasonMatchups(rng: Prng, teams: number, gamesPerTeam: number): Matchup[] {
  const remaining = new Array<number>(teams).fill(gamesPerTeam);
  const hosted = new Array<number>(teams).fill(0);
  const out: Matchup[] = [];
  const stillNeeding = () => remaining.filter((r) => r > 0).length;
  while (stillNeeding() >= 2) {
    let added = 0;
    for (const round of roundRobinCycle(rng, teams)) {
      for (const { home: a, away: b } of round) {
        if (remaining[a] === 0 || remaining[b] === 0) continue;
        const aHosts = hosted[a] < hosted[b] || (hosted[a] === hosted[b] && rng.next() < 0.5);
        const m = aHosts ? { home: a, away: b } : { home: b, away: a };
        hosted[m.home]++;
        remaining[a]--;
        remaining[b]--;
        out.push(m);
        added++;
      }
    }
    if (added === 0) break; // odd team counts can leave one team a game short
  }
  return out;
}

/**
 * Spreads the matchups over the season day by day: a varying number of games
 * per day, nobody twice a day, no three games in three days, and back-to-backs
 * allowed at a realistic rate.
 */
function assignDays(rng: Prng, matchups: Matchup[], teams: number): ScheduledGame[] {
  const pending = matchups.slice();
  const last = new Array<number>(teams).fill(-100);
  const beforeLast = new Array<number>(teams).fill(-100);
  const lookahead = Math.max(4, Math.ceil((teams / 2) * LOOKAHEAD_ROUNDS));
  const out: ScheduledGame[] = [];
  for (let day = 0; pending.length > 0; day++) {
    const daysLeft = Math.max(1, REGULAR_SEASON_DAYS - day);
    const target = Math.round((pending.length / daysLeft) * (0.4 + 1.2 * rng.next()));
    const busy = new Set<number>();
    let taken = 0;
    for (let i = 0; i < pending.length && i < lookahead && taken < target; ) {
      const { home, away } = pending[i];
      const rested = (t: number) => last[t] !== day - 1;
      const canPlay = (t: number) => !busy.has(t) && !(last[t] === day - 1 && beforeLast[t] === day - 2);
      const ok =
        canPlay(home) && canPlay(away) && ((rested(home) && rested(away)) || rng.next() < BACK_TO_BACK_ACCEPT);
      if (!ok) {
        i++;
        continue;
      }
      pending.splice(i, 1);
      out.push({ day, home, away });
      for (const t of [home, away]) {
        beforeLast[t] = last[t];
        last[t] = day;
        busy.add(t);
      }
      taken++;
    }
  }
  return out;
}

/** Seeds in bracket order so 1 meets 16, 8 meets 9, and 1 and 2 can only meet in the final. */
function bracketOrder(size: number): number[] {
  let order = [1];
  while (order.length < size) {
    const n = order.length * 2;
    order = order.flatMap((s) => [s, n + 1 - s]);
  }
  return order;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function generateGames(options: GeneratorOptions): Game[] {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ValidationError("Invalid generator options.", fieldErrorsFromZod(parsed.error.issues));
  }
  const { seed, seasons, teams, startYear, gamesPerTeam, playoffs } = parsed.data;
  const rng = new Prng(seed);
  const codes = Array.from({ length: teams }, (_, i) => teamCode(i));
  const strength = Array.from({ length: teams }, () => rng.normal(0, STRENGTH_SD));
  // As if carried over from a previous season: informative, not exact.
  const elo = strength.map((s) => ELO_MEAN + ELO_PER_POINT * 0.7 * s + rng.normal(0, 40));
  const games: Game[] = [];

  for (let k = 0; k < seasons; k++) {
    const season = startYear + k;
    if (k > 0) {
      for (let t = 0; t < teams; t++) {
        strength[t] = OFFSEASON_CARRY * strength[t] + rng.normal(0, OFFSEASON_SHOCK_SD);
        elo[t] = ELO_CARRY * elo[t] + (1 - ELO_CARRY) * ELO_MEAN;
      }
    }
    const openingMs = Date.UTC(season - 1, 9, 28);
    const pace = rng.normal(LEAGUE_PACE_MEAN, LEAGUE_PACE_SD);
    const wins = new Array<number>(teams).fill(0);

    const play = (home: number, away: number, day: number, playoff: 0 | 1): boolean => {
      const prob = 1 / (1 + 10 ** (-(elo[home] - elo[away] + ELO_HOME) / 400));
      const expected = strength[home] - strength[away] + HOME_COURT_POINTS;
      const margin = rng.normal(expected, MARGIN_SD);
      const total = rng.normal(2 * pace, TOTAL_POINTS_SD);
      let score1 = Math.max(40, Math.round((total + margin) / 2));
      let score2 = Math.max(40, Math.round((total - margin) / 2));
      for (let ot = 0; score1 === score2 && ot < 5; ot++) {
        score1 += Math.max(0, Math.round(rng.normal(10 + expected * 0.05, 3)));
        score2 += Math.max(0, Math.round(rng.normal(10 - expected * 0.05, 3)));
      }
      if (score1 === score2) expected >= 0 ? score1++ : score2++;
      const homeWon = score1 > score2;
      games.push({
        date: isoDate(openingMs + day * 86_400_000),
        season,
        neutral: 0,
        playoff,
        team1: codes[home],
        team2: codes[away],
        elo1_pre: round2(elo[home]),
        elo2_pre: round2(elo[away]),
        elo_prob1: round6(prob),
        score1,
        score2,
      });
      const shift = ELO_K * ((homeWon ? 1 : 0) - prob);
      elo[home] += shift;
      elo[away] -= shift;
      wins[homeWon ? home : away]++;
      return homeWon;
    };

    const schedule = assignDays(rng, regularSeasonMatchups(rng, teams, gamesPerTeam), teams);
    let today = 0;
    for (const g of schedule) {
      for (; today < g.day; today++) for (let t = 0; t < teams; t++) strength[t] += rng.normal(0, DAILY_DRIFT_SD);
      play(g.home, g.away, g.day, 0);
    }

    if (playoffs) {
      const lastDay = schedule.length ? schedule[schedule.length - 1].day : 0;
      playPlayoffs(teams, wins, elo, lastDay + 4, play);
    }
  }
  // Playoff series are simulated one after another; each team's games are still in
  // order (Elo only moves the two teams playing), so sorting by date is safe.
  return games.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

function playPlayoffs(
  teams: number,
  wins: number[],
  elo: number[],
  firstDay: number,
  play: (home: number, away: number, day: number, playoff: 0 | 1) => boolean,
): void {
  let size = 1;
  // Slightly over half the league, as in the NBA (16 of 30).
  while (size * 2 <= Math.min(MAX_PLAYOFF_TEAMS, Math.floor(teams * 0.55))) size *= 2;
  if (size < 2) return;
  // Ranked by record; Elo breaks ties so the order does not depend on team index.
  const ranked = Array.from({ length: teams }, (_, i) => i).sort((a, b) => wins[b] - wins[a] || elo[b] - elo[a]);
  let alive = bracketOrder(size).map((seed) => ({ team: ranked[seed - 1], seed }));
  let day = firstDay;
  while (alive.length > 1) {
    const next: typeof alive = [];
    let longest = 0;
    for (let i = 0; i < alive.length; i += 2) {
      const [high, low] = alive[i].seed < alive[i + 1].seed ? [alive[i], alive[i + 1]] : [alive[i + 1], alive[i]];
      let highWins = 0;
      let lowWins = 0;
      let g = 0;
      for (; highWins < PLAYOFF_SERIES_WINS && lowWins < PLAYOFF_SERIES_WINS; g++) {
        const highHosts = HIGHER_SEED_HOSTS[g];
        const homeWon = highHosts ? play(high.team, low.team, day + 2 * g, 1) : play(low.team, high.team, day + 2 * g, 1);
        if (homeWon === highHosts) highWins++;
        else lowWins++;
      }
      longest = Math.max(longest, g);
      next.push(highWins > lowWins ? high : low);
    }
    day += 2 * (longest - 1) + 3;
    alive = next;
  }
}

/** The raw games layout (GAME_COLUMNS), readable by parseGamesCsv. */
export function gamesToCsv(games: readonly Game[]): string {
  const lines = [GAME_COLUMNS.join(",")];
  for (const g of games) {
    lines.push(GAME_COLUMNS.map((c) => String(g[c])).join(","));
  }
  return lines.join("\n") + "\n";
}
