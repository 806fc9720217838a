/**
 * The setting the benchmark and the evaluation share: NBA games, a chronological
 * split into base / meta / test seasons, and four base models that look at the
 * games differently (two logistic regressions, two random forests).
 */
import fs from "node:fs";
import path from "node:path";
import { splitBySeason, type SeasonSpan } from "@/lib/evaluation";
import { buildFeatureTable, toCsv, type FeatureRow, type FeatureTable, type NbaFeatureName } from "@/lib/nba/features";
import { findSharedGamesCsv, parseGamesCsv, type Game } from "@/lib/nba/games";
import { FORM_AND_REST_FEATURES } from "@/lib/nba/demo";
import { generateGames } from "@/lib/nba/generator";
import { PROJECT_ROOT } from "./bench-env";

export const TARGET = "home_win";

export const SPANS = {
  base: { name: "base", to: 2010 },
  meta: { name: "meta", from: 2011, to: 2013 },
  test: { name: "test", from: 2014, to: 2016 },
} satisfies Record<string, SeasonSpan>;

export interface BaseModelSpec {
  name: string;
  algorithm: "random_forest" | "logistic_regression";
  features: NbaFeatureName[];
  hyperparameters: Record<string, number>;
}

/**
 * Forests are capped at 1,000 rows per tree (max_samples): the tree learner's
 * cost grows with the square of its rows, so this, not the 57,000-row table,
 * bounds their training time (seconds to tens of seconds each here).
 */
const FOREST = { n_estimators: 25, max_depth: 8, max_samples: 1000, max_features: 0.6, min_samples_split: 20 };

export const BASE_MODELS: readonly BaseModelSpec[] = [
  {
    name: "Elo (logistic)",
    algorithm: "logistic_regression",
    features: ["elo_diff", "elo_prob1", "neutral", "playoff"],
    hyperparameters: {},
  },
  {
    name: "Form and rest (logistic)",
    algorithm: "logistic_regression",
    features: ["roll_pd_diff", "roll_win_diff", "season_win_pct_diff", "rest_diff", "b2b_1", "b2b_2", "neutral", "playoff"],
    hyperparameters: {},
  },
  {
    name: "Form and rest (forest)",
    algorithm: "random_forest",
    features: [...FORM_AND_REST_FEATURES],
    hyperparameters: FOREST,
  },
  {
    name: "Elo and form (forest)",
    algorithm: "random_forest",
    features: ["elo_diff", "neutral", "playoff", "rest_diff", "b2b_1", "b2b_2", "roll_pd_diff", "roll_win_diff", "season_win_pct_diff", "season_games_1"],
    hyperparameters: FOREST,
  },
];

/** Every feature some base model reads: what an ensemble prediction row carries. */
export function ensembleFeatures(specs: readonly BaseModelSpec[] = BASE_MODELS): string[] {
  return [...new Set(specs.flatMap((s) => s.features))];
}

export interface GamesSource {
  kind: "shared" | "generated";
  /** The file read, or how the games were generated. */
  description: string;
  games: Game[];
}

/** Seed for the fallback games; 16 seasons labelled 1998–2013 cover the base and meta spans. */
const GENERATED = { seed: 2016, seasons: 16, startYear: 1998 };

/** The shared history file when present (NBA_GAMES_CSV overrides where), else generated games. */
export function loadGames(opts: { requireShared?: boolean } = {}): GamesSource {
  const file = findSharedGamesCsv();
  if (file) {
    const { games, badRows } = parseGamesCsv(fs.readFileSync(file, "utf8"));
    if (badRows.length > 0) throw new Error(`${file} has ${badRows.length} unreadable rows (first: line ${badRows[0].line}: ${badRows[0].message}).`);
    return { kind: "shared", description: path.relative(PROJECT_ROOT, file), games };
  }
  if (opts.requireShared) {
    throw new Error(
      "The shared NBA games file is missing: expected ../shared/data/nba_games_1947_2016.csv next to the project, or a path in NBA_GAMES_CSV.",
    );
  }
  return {
    kind: "generated",
    description: `generateGames(seed ${GENERATED.seed}, ${GENERATED.seasons} seasons from ${GENERATED.startYear})`,
    games: generateGames(GENERATED),
  };
}

export interface SplitTables {
  columns: string[];
  base: FeatureRow[];
  meta: FeatureRow[];
  test: FeatureRow[];
}

/** Features over the whole history (so rolling form carries across the split), then cut by season. */
export function splitFeatureTable(games: readonly Game[]): SplitTables {
  const table = buildFeatureTable(games);
  const parts = splitBySeason(table.rows, [SPANS.base, SPANS.meta, SPANS.test]);
  return { columns: table.columns, base: parts.base, meta: parts.meta, test: parts.test };
}

export function csvOf(columns: string[], rows: FeatureRow[]): string {
  const table: FeatureTable = { columns, rows };
  return toCsv(table);
}
