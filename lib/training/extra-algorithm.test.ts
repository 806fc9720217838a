import { z } from "zod";
import { beforeAll, describe, expect, it } from "vitest";
import { clearCaches } from "@/lib/cache";
import { buildEnsemble } from "@/lib/ensemble/build";
import { predictWithEnsemble } from "@/lib/ensemble/load";
import { createEnsemble } from "@/lib/ensemble/service";
import { ValidationError } from "@/lib/errors";
import { algorithmCatalog, algorithmSchema, defineAlgorithm, registerAlgorithm, type Estimator } from "@/lib/ml/algorithms";
import { NotFittedError } from "@/lib/ml/errors";
import { useTestEnv } from "@/lib/testing/env";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { ModelConfig } from "@/models/ModelConfig";
import { loadTrainedModel } from "./load";
import { createModelConfig, getModel, predictWithModel } from "./service";
import { trainModel } from "./train";

/**
 * Adding an algorithm is one module plus one registry line. This file is that
 * module (a nearest-centroid classifier) and that line, and then drives it
 * through the same paths as the built-in algorithms: the API's schema, the
 * form catalog, training with artifacts, loading, predicting and stacking.
 */
const stateSchema = z.object({ centroids: z.tuple([z.array(z.number()), z.array(z.number())]) });
type CentroidState = z.output<typeof stateSchema>;

class NearestCentroid implements Estimator<CentroidState> {
  private centroids: CentroidState["centroids"] | null = null;
  constructor(private readonly temperature: number) {}

  async fit(X: number[][], y: number[]): Promise<void> {
    const width = X[0].length;
    const sums = [new Array<number>(width).fill(0), new Array<number>(width).fill(0)];
    const counts = [0, 0];
    X.forEach((row, i) => {
      counts[y[i]] += 1;
      row.forEach((v, j) => (sums[y[i]][j] += v));
    });
    this.centroids = [sums[0].map((s) => s / counts[0]), sums[1].map((s) => s / counts[1])];
  }

  predictProba(X: number[][]): number[] {
    const c = this.centroids;
    if (!c) throw new NotFittedError("nearest centroid");
    const dist = (row: number[], k: 0 | 1) => row.reduce((s, v, j) => s + (v - c[k][j]) ** 2, 0);
    return X.map((row) => 1 / (1 + Math.exp(-this.temperature * (dist(row, 0) - dist(row, 1)))));
  }

  state(): CentroidState {
    if (!this.centroids) throw new NotFittedError("nearest centroid");
    return { centroids: this.centroids };
  }

  static restore(temperature: number, state: CentroidState): NearestCentroid {
    const model = new NearestCentroid(temperature);
    model.centroids = state.centroids;
    return model;
  }
}

const nearestCentroid = defineAlgorithm({
  name: "nearest_centroid",
  label: "Nearest centroid",
 
  description: "Compares a row's distance to the average winning and losing rows.",
  hyperparameters: { temperature: { type: "number", gt: 0, max: 100, default: 1, help: "How sharply distance turns into probability." } },
  stateSchema,
  create: (hp) => new NearestCentroid(hp.temperature),
  restore: (hp, _seed, state) => NearestCentroid.restore(hp.temperature, state),
  estimateSeconds: (_hp, rows, features) => rows * features * 1e-8,
});

registerAlgorithm(nearestCentroid);

useTestEnv();
let dataset = "";
let metaDataset = "";

beforeAll(async () => {
  dataset = (await saveSyntheticDataset("centroid-base", 300, 21)).path;
  metaDataset = (await saveSyntheticDataset("centroid-meta", 200, 22)).path;
});

describe("an algorithm added to the registry", () => {
  it("appears in the API's schema and the form catalog, with its hyperparameters", () => {
    expect(algorithmSchema.safeParse("nearest_centroid").success).toBe(true);
    const entry = algorithmCatalog().find((a) => a.name === "nearest_centroid");
    expect(entry?.fields).toEqual([expect.objectContaining({ name: "temperature", default: 1, minExclusive: true })]);
  });

  it("trains, saves, loads and predicts through the same code paths as the built-in ones", async () => {
    const created = await createModelConfig({
      name: "centroid",
      algorithm: "nearest_centroid",
      hyperparameters: { temperature: 2 },
      features: ["f1", "f2", "f3"],
      target: "label",
      training_csv: dataset,
    });
    expect(created.hyperparameters).toEqual({ temperature: 2 });
    await expect(createModelConfig({ name: "bad", algorithm: "nearest_centroid", hyperparameters: { temperature: 0 }, features: ["f1"], target: "label", training_csv: dataset })).rejects.toBeInstanceOf(ValidationError);

    const { result, pipeline } = await trainModel(created.id);
    expect(result.metrics.accuracy).toBeGreaterThan(0.6);
    const view = await getModel(created.id);
    expect(view.artifacts_ok).toBe(true);

    const rows = [
      { f1: 0.5, f2: -0.5, f3: 5 },
      { f1: -0.5, f2: 0.5, f3: 5 },
    ];
    const inMemory = pipeline.predictProba(rows.map((r) => [r.f1, r.f2, r.f3]));
    clearCaches();
    const served = await predictWithModel(created.id, { rows });
    expect(served.probabilities).toEqual(inMemory);
    expect(served.probabilities[0]).toBeGreaterThan(served.probabilities[1]);

    const doc = await ModelConfig.findById(created.id).lean();
    const loaded = await loadTrainedModel(doc!);
    expect(loaded.pipeline.algorithm).toBe("nearest_centroid");
    expect(loaded.pipeline.toArtifacts().model.classifier.hyperparameters).toEqual({ temperature: 2 });
  });

  it("serves as a base model and as the meta-model of an ensemble", async () => {
    const ids: string[] = [];
    for (const [name, features] of [["centroid-a", ["f1", "f2"]], ["centroid-b", ["f3", "f4"]]] as const) {
      const m = await createModelConfig({ name, algorithm: "nearest_centroid", features: [...features], target: "label", training_csv: dataset });
      await trainModel(m.id);
      ids.push(m.id);
    }
    const ensemble = await createEnsemble({ name: "centroid-stack", base_model_ids: ids, meta_model_type: "nearest_centroid", meta_training_csv: metaDataset });
    const built = await buildEnsemble(ensemble.id);
    expect(built.base.map((b) => b.source)).toEqual(["artifact", "artifact"]);
    clearCaches();
    const { probabilities } = await predictWithEnsemble(ensemble.id, { rows: [{ f1: 0.5, f2: -0.5, f3: 5, f4: 0.5 }] });
    expect(probabilities[0]).toBeGreaterThan(0);
    expect(probabilities[0]).toBeLessThan(1);
  });
});
