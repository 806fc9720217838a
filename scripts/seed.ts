// Seeds the demo (dataset, three trained models, one ensemble) on an empty database.
import { saveDataset } from "@/lib/datasets";
import { connectDb, disconnectDb } from "@/lib/db";
import { childLogger } from "@/lib/log";
import { buildEnsemble } from "@/lib/ensemble/build";
import { createEnsemble } from "@/lib/ensemble/service";
import { createModelConfig } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { ModelConfig } from "@/models/ModelConfig";
import { DEMO_BASE_MODELS, DEMO_ENSEMBLE, buildDemoDataset } from "@/lib/nba/demo";

const log = childLogger("seed");

interface SeedReport {
  seeded: boolean;
  reason: string;
  models?: string[];
  ensemble?: string;
  ms?: number;
}

/**
 * On an empty database, gives a first-time user something to look at: a demo
 * dataset of generated NBA-like games, three trained base models over different
 * feature sets and one trained ensemble. Never touches a database that has models.
 */
async function seedDemoIfEmpty(progress: (line: string) => void = () => undefined): Promise<SeedReport> {
  await connectDb();
  const existing = await ModelConfig.estimatedDocumentCount();
  if (existing > 0) return { seeded: false, reason: `the database already has ${existing} model(s)` };
  const t0 = Date.now();

  progress("generating demo games (the project's own generator, no outside data)");
  const base = buildDemoDataset({ seed: 2016, seasons: 3 });
  const meta = buildDemoDataset({ seed: 2017, seasons: 1 });
  const baseDs = await saveDataset({ name: "demo-games-base", text: base.csv });
  const metaDs = await saveDataset({ name: "demo-games-meta", text: meta.csv });
  progress(`demo datasets: ${baseDs.rows} games for base models, ${metaDs.rows} for the meta-model`);

  const ids: string[] = [];
  for (const spec of DEMO_BASE_MODELS) {
    const model = await createModelConfig({ ...spec, training_csv: baseDs.path });
    const started = Date.now();
    await trainModel(model.id, { trigger: "seed" });
    progress(`trained "${spec.name}" in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    ids.push(model.id);
  }
  const ensemble = await createEnsemble({
    name: DEMO_ENSEMBLE.name,
    base_model_ids: ids,
    meta_model_type: DEMO_ENSEMBLE.meta_model_type,
    meta_training_csv: metaDs.path,
  });
  const built = await buildEnsemble(ensemble.id);
  progress(`built ensemble "${DEMO_ENSEMBLE.name}" in ${Math.round(built.total_ms)} ms (every base model loaded from artifacts)`);
  const ms = Date.now() - t0;
  log.info({ models: ids, ensemble_id: ensemble.id, ms }, "demo seeded");
  return { seeded: true, reason: "the database had no models", models: ids, ensemble: ensemble.id, ms };
}

seedDemoIfEmpty((line) => console.error(`[seed] ${line}`))
  .then((r) => {
    console.error(r.seeded ? `[seed] demo ready in ${((r.ms ?? 0) / 1000).toFixed(1)} s` : `[seed] skipped: ${r.reason}`);
  })
  .catch((err: unknown) => {
    console.error(`[seed] failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(() => disconnectDb());
