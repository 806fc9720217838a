/**
 * The setting the benchmark and the evaluation share: NBA games, a chronological
 * split into base / meta / test seasons, and four base models that look at the
 * games differently (two logistic regressions, two random forests), trained
 * once and stacked through the product's own services.
 */
import fs from "node:fs";
import path from "node:path";
import { saveDataset } from "@/lib/datasets";
import { createEnsemble } from "@/lib/ensemble/service";
import { splitBySeason, type SeasonSpan } from "@/lib/evaluation";
import { buildFeatureTable, toCsv, type NbaFeatureName } from "@/lib/nba/features";
import { findSharedGamesCsv, parseGamesCsv, type Game } from "@/lib/nba/games";
import { FORM_AND_REST_FEATURES } from "@/lib/nba/demo";
import { generateGames } from "@/lib/nba/generator";
import { createModelConfig } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { PROJECT_ROOT } from "./bench-env";

export const TARGET = "home_win";
export const SEED = 42;

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
 * Fixed settings, so evaluations and benchmarks stay comparable from run to
 * run. 1,000 draws per tree was sized for ml-cart, whose cost grows with the
 * square of the rows; the fast engine grows the very same trees (split_features
 * 1) in about two seconds each here. random_forest's defaults instead (100 trees
 * on all 56,828 rows, `npm run nba:evaluate -- --full-data-forests`, see
 * bench/evaluation-full-forests.md) forecast better: forest log losses 0.6091 and
 * 0.5996 against 0.6211 and 0.6057, the ensemble 0.5974 against 0.5988, at 11-18 s
 * per forest under load 9.
 */
const FOREST = { n_estimators: 25, max_depth: 8, max_samples: 1000, max_features: 0.6, min_samples_split: 20 };

/** The same models with random_forest's own defaults (100 trees, every row per tree): npm run nba:evaluate -- --full-data-forests. */
export function withDefaultForests(models: readonly BaseModelSpec[]): BaseModelSpec[] {
  return models.map((m) => (m.algorithm === "random_forest" ? { ...m, hyperparameters: {} } : m));
}

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
export const ENSEMBLE_FEATURES = [...new Set(BASE_MODELS.flatMap((s) => s.features))];

/** Seed for the fallback games; 16 seasons labelled 1998–2013 cover the base and meta spans. */
const GENERATED = { seed: 2016, seasons: 16, startYear: 1998 };

export type GamesSource = ReturnType<typeof loadGames>;

/** The shared history file when present (NBA_GAMES_CSV overrides where), else generated games. */
export function loadGames() {
  const file = findSharedGamesCsv();
  if (file) {
    const { games, badRows } = parseGamesCsv(fs.readFileSync(file, "utf8"));
    if (badRows.length > 0) throw new Error(`${file} has ${badRows.length} unreadable rows (first: line ${badRows[0].line}: ${badRows[0].message}).`);
    return { kind: "shared" as const, description: path.relative(PROJECT_ROOT, file), games };
  }
  const description = `generateGames(seed ${GENERATED.seed}, ${GENERATED.seasons} seasons from ${GENERATED.startYear})`;
  return { kind: "generated" as const, description, games: generateGames(GENERATED) };
}

export type SplitTables = ReturnType<typeof splitFeatureTable>;

/** Features over the whole history (so rolling form carries across the split), then cut by season. */
export function splitFeatureTable(games: readonly Game[]) {
  const { columns, rows } = buildFeatureTable(games);
  const parts = splitBySeason(rows, [SPANS.base, SPANS.meta, SPANS.test]);
  return { columns, base: parts.base, meta: parts.meta, test: parts.test };
}

export type PreparedEnsemble = Awaited<ReturnType<typeof prepareEnsemble>>;

/**
 * Saves the base and meta seasons as datasets, creates and trains each base
 * model once and creates the ensemble, with the calls the API makes.
 */
export async function prepareEnsemble(name: string, tables: SplitTables, log: (line: string) => void, baseModels: readonly BaseModelSpec[] = BASE_MODELS) {
  const baseDataset = await saveDataset({ name: `${name}-base`, text: toCsv({ columns: tables.columns, rows: tables.base }) });
  const metaDataset = await saveDataset({ name: `${name}-meta`, text: toCsv({ columns: tables.columns, rows: tables.meta }) });
  log(`datasets saved: ${baseDataset.path} (${baseDataset.rows} rows), ${metaDataset.path} (${metaDataset.rows} rows)`);

  const models: Array<{ id: string; spec: BaseModelSpec; training_ms: number }> = [];
  for (const [i, spec] of baseModels.entries()) {
    const { id } = await createModelConfig({ ...spec, target: TARGET, training_csv: baseDataset.path, seed: SEED });
    log(`training base model ${i + 1}/${baseModels.length}: ${spec.name} on ${baseDataset.rows} rows`);
    const { result } = await trainModel(id, { trigger: "manual" });
    log(`  trained in ${(result.training_ms / 1000).toFixed(1)} s, holdout log loss ${result.metrics.log_loss.toFixed(4)}`);
    models.push({ id, spec, training_ms: result.training_ms });
  }

  const ensemble = await createEnsemble({
    name,
    base_model_ids: models.map((m) => m.id),
    meta_model_type: "logistic_regression",
    meta_training_csv: metaDataset.path,
    seed: SEED,
  });
  return { metaDataset, ensembleId: ensemble.id, models };
}
