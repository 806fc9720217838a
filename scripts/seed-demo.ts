import { connectDb } from "@/lib/db";
import { buildEnsemble } from "@/lib/ensemble/build";
import { createEnsemble } from "@/lib/ensemble/service";
import { buildFeatureDataset, storeDatasetText } from "@/lib/forecast/datasets";
import { childLogger } from "@/lib/log";
import { DEMO_BASE_MODELS, DEMO_DATASETS, DEMO_ENSEMBLE, buildDemoGames } from "@/lib/nba/demo";
import { createModelConfig } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { ModelConfig } from "@/models/ModelConfig";

const log = childLogger("seed");

export interface SeedReport {
  seeded: boolean;
  reason: string;
  games_dataset?: string;
  models?: string[];
  ensemble?: string;
  ms?: number;
}

/**
 * On an empty database, gives a first-time user something to look at and to
 * forecast with: a games dataset of generated NBA-like seasons, feature tables
 * built from it by the product's own code, three trained base models over
 * features a forecast can compute, and one trained ensemble. Never touches a
 * database that has models.
 */
export async function seedDemoIfEmpty(progress: (line: string) => void = () => undefined): Promise<SeedReport> {
  await connectDb();
  const existing = await ModelConfig.estimatedDocumentCount();
  if (existing > 0) return { seeded: false, reason: `the database already has ${existing} model(s)` };
  const t0 = Date.now();

  progress("generating demo games (the project's own generator, no outside data)");
  const demo = buildDemoGames();
  const games = await storeDatasetText({ name: DEMO_DATASETS.games, text: demo.csv }, "games");
  const base = await buildFeatureDataset({ games_dataset: games.path, name: DEMO_DATASETS.base, from_season: demo.baseSeasons.from, to_season: demo.baseSeasons.to });
  const meta = await buildFeatureDataset({ games_dataset: games.path, name: DEMO_DATASETS.meta, from_season: demo.metaSeasons.from, to_season: demo.metaSeasons.to });
  progress(`demo games: ${games.rows} games; feature tables of ${base.rows} games for base models, ${meta.rows} for the meta-model`);

  const ids: string[] = [];
  for (const spec of DEMO_BASE_MODELS) {
    const model = await createModelConfig({ ...spec, training_csv: base.path });
    const started = Date.now();
    await trainModel(model.id, { trigger: "seed" });
    progress(`trained "${spec.name}" in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    ids.push(model.id);
  }
  const ensemble = await createEnsemble({
    name: DEMO_ENSEMBLE.name,
    base_model_ids: ids,
    meta_model_type: DEMO_ENSEMBLE.meta_model_type,
    meta_training_csv: meta.path,
  });
  const built = await buildEnsemble(ensemble.id);
  progress(`built ensemble "${DEMO_ENSEMBLE.name}" in ${Math.round(built.total_ms)} ms (every base model loaded from artifacts)`);
  const ms = Date.now() - t0;
  log.info({ models: ids, ensemble_id: ensemble.id, games_dataset: games.path, ms }, "demo seeded");
  return { seeded: true, reason: "the database had no models", games_dataset: games.path, models: ids, ensemble: ensemble.id, ms };
}
