import { buildEnsemble } from "@/lib/ensemble/build";
import { createEnsemble } from "@/lib/ensemble/service";
import { buildFeatureDataset, storeDatasetText } from "@/lib/forecast/datasets";
import { gameResultsToCsv, type Game } from "@/lib/nba/games";
import { gamesToCsv, generateGames } from "@/lib/nba/generator";
import { createModelConfig } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";

/** Three small generated seasons: base models on the first two, the meta-model on the third. */
export function smallLeague(seed = 3): Game[] {
  return generateGames({ seed, seasons: 3, teams: 10, gamesPerTeam: 40 });
}

export const ELO_MODEL_FEATURES = ["own_elo_diff", "own_elo_prob1", "neutral", "playoff"];
export const FORM_MODEL_FEATURES = ["roll_pd_diff", "season_win_pct_diff", "rest_diff", "b2b_1", "b2b_2"];

export interface ForecastSetup {
  games: Game[];
  gamesPath: string;
  basePath: string;
  metaPath: string;
  modelIds: string[];
  ensembleId: string;
}

/**
 * A games dataset (results only, or with FiveThirtyEight's columns), feature
 * tables built from it by the product, two trained logistic base models over
 * `features` and a built ensemble: everything through the product's own path.
 */
export async function forecastSetup(
  prefix: string,
  opts: { games?: Game[]; fiveThirtyEight?: boolean; features?: string[][] } = {},
): Promise<ForecastSetup> {
  const games = opts.games ?? smallLeague();
  const text = opts.fiveThirtyEight ? gamesToCsv(games) : gameResultsToCsv(games);
  const gamesDs = await storeDatasetText({ name: `${prefix}-games`, text });
  const base = await buildFeatureDataset({ games_dataset: gamesDs.path, name: `${prefix}-base`, to_season: 2002 });
  const meta = await buildFeatureDataset({ games_dataset: gamesDs.path, name: `${prefix}-meta`, from_season: 2003 });
  const modelIds: string[] = [];
  for (const [i, features] of (opts.features ?? [ELO_MODEL_FEATURES, FORM_MODEL_FEATURES]).entries()) {
    const model = await createModelConfig({ name: `${prefix}-model-${i + 1}`, algorithm: "logistic_regression", features, target: "home_win", training_csv: base.path });
    await trainModel(model.id);
    modelIds.push(model.id);
  }
  const ensemble = await createEnsemble({ name: `${prefix}-stack`, base_model_ids: modelIds, meta_training_csv: meta.path });
  await buildEnsemble(ensemble.id);
  return { games, gamesPath: gamesDs.path, basePath: base.path, metaPath: meta.path, modelIds, ensembleId: ensemble.id };
}
