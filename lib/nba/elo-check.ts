import { evaluate, type Metrics } from "@/lib/ml/metrics";
import { computeElo, marginOfVictoryMultiplier, NBA_ELO, NBA_FRANCHISES, winProbability, type EloOptions } from "@/lib/nba/elo";
import type { Game } from "@/lib/nba/games";

/**
 * How closely the product's Elo (lib/nba/elo.ts) reproduces FiveThirtyEight's
 * published ratings and forecasts in the historical file (CC BY 4.0). Shared
 * by npm run nba:elo-check and the shared-data test, so both measure the same.
 */

/** Seasons named by the year they end; 1980 is 1979-80. */
export const MODERN_FROM_SEASON = 1980;
export const RECENT_SEASONS = { from: 2014, to: 2016 } as const;

export interface ForecastPair {
  games: number;
  ours: Metrics;
  theirs: Metrics;
}

export interface EloCheck {
  games: number;
  /** Mean |our prob1 - their elo_prob1|. */
  probabilityMad: number;
  probabilityMadModern: number;
  probabilityMaxDiff: number;
  /** Pearson correlation of our elo1_pre with theirs, every game and from MODERN_FROM_SEASON on. */
  ratingCorrelation: number;
  ratingCorrelationModern: number;
  /** Mean |our elo1_pre - theirs| from MODERN_FROM_SEASON on. */
  ratingMadModern: number;
  all: ForecastPair;
  recent: ForecastPair;
  /** Probability MAD by decade of seasons, to show where differences sit. */
  madByDecade: Array<{ from: number; to: number; games: number; mad: number }>;
  /** Games in which a team plays for the second time on one date (rated here from the ratings entering the date). */
  sameDateRepeats: number;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function pair(games: readonly Game[], ours: readonly number[], keep: (g: Game) => boolean): ForecastPair {
  const idx = games.flatMap((g, i) => (keep(g) ? [i] : []));
  const y = idx.map((i) => (games[i].score1 > games[i].score2 ? 1 : 0));
  return { games: idx.length, ours: evaluate(y, idx.map((i) => ours[i])), theirs: evaluate(y, idx.map((i) => games[i].elo_prob1)) };
}

export function compareWithFiveThirtyEight(games: readonly Game[], options: EloOptions = {}): EloCheck {
  const rated = computeElo(games, options);
  const prob = rated.map((r) => r.prob1);
  const diffs = games.map((g, i) => Math.abs(prob[i] - g.elo_prob1));
  const modern = games.flatMap((g, i) => (g.season >= MODERN_FROM_SEASON ? [i] : []));
  const seen = new Set<string>();
  let sameDateRepeats = 0;
  for (const g of [...games].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))) {
    for (const t of [g.team1, g.team2]) {
      const key = `${g.date} ${t}`;
      if (seen.has(key)) sameDateRepeats++;
      seen.add(key);
    }
  }
  return {
    games: games.length,
    probabilityMad: mean(diffs),
    probabilityMadModern: mean(modern.map((i) => diffs[i])),
    probabilityMaxDiff: Math.max(...diffs),
    ratingCorrelation: pearson(
      rated.map((r) => r.elo1_pre),
      games.map((g) => g.elo1_pre),
    ),
    ratingCorrelationModern: pearson(
      modern.map((i) => rated[i].elo1_pre),
      modern.map((i) => games[i].elo1_pre),
    ),
    ratingMadModern: mean(modern.map((i) => Math.abs(rated[i].elo1_pre - games[i].elo1_pre))),
    all: pair(games, prob, () => true),
    recent: pair(games, prob, (g) => g.season >= RECENT_SEASONS.from && g.season <= RECENT_SEASONS.to),
    madByDecade: byDecade(games, diffs),
    sameDateRepeats,
  };
}

function byDecade(games: readonly Game[], diffs: readonly number[]): EloCheck["madByDecade"] {
  const groups = new Map<number, number[]>();
  games.forEach((g, i) => {
    const decade = Math.floor(g.season / 10) * 10;
    const group = groups.get(decade);
    if (group) group.push(i);
    else groups.set(decade, [i]);
  });
  return [...groups.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([decade, idx]) => ({
      from: Math.min(...idx.map((i) => games[i].season)),
      to: Math.max(...idx.map((i) => games[i].season)),
      games: idx.length,
      mad: mean(idx.map((i) => diffs[i])),
    }));
}

function franchiseOf(code: string): string {
  for (const [franchise, codes] of Object.entries(NBA_FRANCHISES)) if (codes.includes(code)) return franchise;
  return code;
}

/**
 * FiveThirtyEight's rating entering each franchise's first game, where it is
 * not the 1300 of a new team: the teams that joined from leagues missing from
 * the file (NBL and ABL, 1947-1950). Keyed by the code of that first game.
 */
export function publishedDebutRatings(games: readonly Game[]): Record<string, number> {
  const ordered = [...games].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const seen = new Set<string>();
  const out: Record<string, number> = {};
  for (const g of ordered) {
    for (const [team, pre] of [[g.team1, g.elo1_pre], [g.team2, g.elo2_pre]] as const) {
      const franchise = franchiseOf(team);
      if (seen.has(franchise)) continue;
      seen.add(franchise);
      if (Math.abs(pre - NBA_ELO.newTeamRating) > 1e-6) out[team] = pre;
    }
  }
  return out;
}

export interface StepErrors {
  steps: number;
  median: number;
  p99: number;
  max: number;
}

export interface StepReplay {
  /** Next game in the same season, regular-season games. */
  regular: StepErrors;
  /** Next game in the same season after a playoff game (checks that playoffs use the same K). */
  playoff: StepErrors;
  /** First game of the next season (checks the carry-over). */
  newSeason: StepErrors;
}

function summarize(errors: number[]): StepErrors {
  const sorted = [...errors].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { steps: sorted.length, median: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? Number.NaN };
}

/**
 * Replays one update at a time on FiveThirtyEight's own ratings: from a
 * team's published rating entering a game and that game's result, predict its
 * published rating entering its next game. Errors near the file's rounding
 * (1e-4) confirm a rule without any drift from earlier games.
 * `homeCourtInMarginEdge: false` tries the reading where the margin
 * multiplier's rating difference leaves home court out.
 */
export function replayOneStep(games: readonly Game[], { homeCourtInMarginEdge = true }: { homeCourtInMarginEdge?: boolean } = {}): StepReplay {
  const last = new Map<string, { post: number; season: number; playoff: 0 | 1 }>();
  const errors = { regular: [] as number[], playoff: [] as number[], newSeason: [] as number[] };
  for (const g of games) {
    const home = g.neutral === 1 ? 0 : NBA_ELO.homeAdvantage;
    const prob1 = winProbability(g.elo1_pre, g.elo2_pre, { neutral: g.neutral === 1 });
    const won1 = g.score1 > g.score2;
    const edge1 = g.elo1_pre - g.elo2_pre + (homeCourtInMarginEdge ? home : 0);
    const shift1 = NBA_ELO.k * marginOfVictoryMultiplier(g.score1 - g.score2, won1 ? edge1 : -edge1) * ((won1 ? 1 : 0) - prob1);
    for (const [team, pre, post] of [[g.team1, g.elo1_pre, g.elo1_pre + shift1], [g.team2, g.elo2_pre, g.elo2_pre - shift1]] as const) {
      const franchise = franchiseOf(team);
      const prev = last.get(franchise);
      if (prev && prev.season === g.season) errors[prev.playoff ? "playoff" : "regular"].push(Math.abs(prev.post - pre));
      else if (prev && prev.season === g.season - 1) {
        errors.newSeason.push(Math.abs(NBA_ELO.seasonMean + (prev.post - NBA_ELO.seasonMean) * NBA_ELO.seasonCarry - pre));
      }
      last.set(franchise, { post, season: g.season, playoff: g.playoff });
    }
  }
  return { regular: summarize(errors.regular), playoff: summarize(errors.playoff), newSeason: summarize(errors.newSeason) };
}
