import { FORECAST_FEATURES, NBA_TARGET_COLUMN, type ForecastFeatureName } from "@/lib/nba/features";
import { gameResultsToCsv } from "@/lib/nba/games";
import { generateGames } from "@/lib/nba/generator";

/**
 * What the app seeds on first start: a games dataset of generated seasons
 * (never third-party data) and three base models over features the product
 * computes from results alone, so the seeded ensemble can forecast any date.
 * The base models train on the earlier seasons, the meta-model on the last.
 */

export const DEMO_SEED = 2016;
export const DEMO_SEASONS = 4;
/** Seasons are named by the year they end; the generator's first is 2001. */
export const DEMO_FIRST_SEASON = 2001;

export interface DemoGames {
  /** Results only: date, season, teams, scores, neutral, playoff. */
  csv: string;
  games: number;
  /** The base models' seasons (inclusive) and the meta-model's. */
  baseSeasons: { from: number; to: number };
  metaSeasons: { from: number; to: number };
}

export function buildDemoGames(opts: { seed?: number; seasons?: number } = {}): DemoGames {
  const seasons = opts.seasons ?? DEMO_SEASONS;
  if (seasons < 2) throw new RangeError("The demo needs at least two seasons: the base models' and the meta-model's.");
  const games = generateGames({ seed: opts.seed ?? DEMO_SEED, seasons, startYear: DEMO_FIRST_SEASON });
  const last = DEMO_FIRST_SEASON + seasons - 1;
  return {
    csv: gameResultsToCsv(games),
    games: games.length,
    baseSeasons: { from: DEMO_FIRST_SEASON, to: last - 1 },
    metaSeasons: { from: last, to: last },
  };
}

export interface DemoBaseModelSpec {
  name: string;
  /** A name in the algorithm registry. */
  algorithm: string;
  features: ForecastFeatureName[];
  target: typeof NBA_TARGET_COLUMN;
  hyperparameters: Record<string, number>;
}

/** Each team's recent form, rest and season record: the pre-game features beyond Elo. */
export const FORM_AND_REST_FEATURES = [
  "rest_days_1",
  "rest_days_2",
  "b2b_1",
  "b2b_2",
  "roll_pd_1",
  "roll_pd_2",
  "roll_win_1",
  "roll_win_2",
  "season_win_pct_1",
  "season_win_pct_2",
  "season_games_1",
  "season_games_2",
] as const satisfies readonly ForecastFeatureName[];

/**
 * The logistic model keeps the trainer's defaults. The forests draw all rows per
 * tree (the default) but grow fewer, shallower trees than the defaults, so the
 * first start trains each in well under a second on two cores.
 */
export const DEMO_BASE_MODELS: readonly DemoBaseModelSpec[] = [
  {
    name: "Elo only (logistic)",
    algorithm: "logistic_regression",
    features: ["own_elo_diff", "own_elo_prob1", "neutral", "playoff"],
    target: NBA_TARGET_COLUMN,
    hyperparameters: {},
  },
  {
    name: "Form & rest (forest)",
    algorithm: "random_forest",
    features: [...FORM_AND_REST_FEATURES],
    target: NBA_TARGET_COLUMN,
    hyperparameters: { n_estimators: 50, max_depth: 6 },
  },
  {
    name: "Everything (forest)",
    algorithm: "random_forest",
    features: [...FORECAST_FEATURES],
    target: NBA_TARGET_COLUMN,
    hyperparameters: { n_estimators: 50, max_depth: 6 },
  },
];

export const DEMO_ENSEMBLE: { name: string; meta_model_type: string } = {
  name: "Demo stack",
  meta_model_type: "logistic_regression",
};

/** Dataset names the seed stores under. */
export const DEMO_DATASETS = { games: "demo-games", base: "demo-features-base", meta: "demo-features-meta" } as const;
