import { buildFeatureTable, NBA_FEATURE_COLUMNS, NBA_TARGET_COLUMN, toCsv, type NbaFeatureName } from "@/lib/nba/features";
import { generateGames } from "@/lib/nba/generator";

/**
 * What the app seeds on first start: a feature table built from generated
 * games (never third-party data) and three base models that look at the games
 * differently, so stacking them has something to gain.
 */

export const DEMO_SEED = 2016;
export const DEMO_SEASONS = 3;

export interface DemoDataset {
  csv: string;
  rows: number;
  columns: string[];
}

export function buildDemoDataset(opts: { seed?: number; seasons?: number } = {}): DemoDataset {
  const games = generateGames({ seed: opts.seed ?? DEMO_SEED, seasons: opts.seasons ?? DEMO_SEASONS });
  const table = buildFeatureTable(games);
  return { csv: toCsv(table), rows: table.rows.length, columns: table.columns };
}

export interface DemoBaseModelSpec {
  name: string;
  /** A name in the algorithm registry. */
  algorithm: string;
  features: NbaFeatureName[];
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
] as const satisfies readonly NbaFeatureName[];

/**
 * The logistic model keeps the trainer's defaults. The forests draw all rows per
 * tree (the default) but grow fewer, shallower trees than the defaults, so the
 * first start trains each in well under a second on two cores.
 */
export const DEMO_BASE_MODELS: readonly DemoBaseModelSpec[] = [
  {
    name: "Elo only (logistic)",
    algorithm: "logistic_regression",
    features: ["elo_diff", "elo_prob1", "neutral", "playoff"],
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
    features: [...NBA_FEATURE_COLUMNS],
    target: NBA_TARGET_COLUMN,
    hyperparameters: { n_estimators: 50, max_depth: 6 },
  },
];

export const DEMO_ENSEMBLE: { name: string; meta_model_type: string } = {
  name: "Demo stack",
  meta_model_type: "logistic_regression",
};
