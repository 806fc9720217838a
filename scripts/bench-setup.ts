/**
 * Creates the benchmark's and the evaluation's datasets, base models and
 * ensemble through the product's own services (the same calls the API makes),
 * and trains each base model once.
 */
import { saveDataset, type DatasetInfo } from "@/lib/datasets";
import { createEnsemble } from "@/lib/ensemble/service";
import type { Metrics } from "@/lib/ml/metrics";
import { createModelConfig } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { TARGET, type BaseModelSpec } from "./bench-setting";

export interface PreparedEnsemble {
  baseDataset: DatasetInfo;
  metaDataset: DatasetInfo;
  ensembleId: string;
  models: Array<{ id: string; spec: BaseModelSpec; training_ms: number; holdout: Metrics }>;
}

export async function prepareEnsemble(opts: {
  name: string;
  baseCsv: string;
  metaCsv: string;
  specs: readonly BaseModelSpec[];
  seed?: number;
  log: (line: string) => void;
}): Promise<PreparedEnsemble> {
  const seed = opts.seed ?? 42;
  const baseDataset = await saveDataset({ name: `${opts.name}-base`, text: opts.baseCsv });
  const metaDataset = await saveDataset({ name: `${opts.name}-meta`, text: opts.metaCsv });
  opts.log(`datasets saved: ${baseDataset.path} (${baseDataset.rows} rows), ${metaDataset.path} (${metaDataset.rows} rows)`);

  const models: PreparedEnsemble["models"] = [];
  for (const [i, spec] of opts.specs.entries()) {
    const view = await createModelConfig({
      name: spec.name,
      algorithm: spec.algorithm,
      hyperparameters: spec.hyperparameters,
      features: spec.features,
      target: TARGET,
      training_csv: baseDataset.path,
      seed,
    });
    opts.log(`training base model ${i + 1}/${opts.specs.length}: ${spec.name} on ${baseDataset.rows} rows`);
    const { result } = await trainModel(view.id, { trigger: "manual" });
    opts.log(`  trained in ${(result.training_ms / 1000).toFixed(1)} s, holdout log loss ${result.metrics.log_loss.toFixed(4)}`);
    models.push({ id: view.id, spec, training_ms: result.training_ms, holdout: result.metrics });
  }

  const ensemble = await createEnsemble({
    name: opts.name,
    base_model_ids: models.map((m) => m.id),
    meta_model_type: "logistic_regression",
    meta_training_csv: metaDataset.path,
    seed,
  });
  return { baseDataset, metaDataset, ensembleId: ensemble.id, models };
}
