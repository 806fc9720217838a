import mongoose from "mongoose";
import { buildEnvelope, parseEnvelope, serializeEnvelope } from "@/lib/artifacts/format";
import { parseCsv, toNumericMatrix } from "@/lib/ml/csv";
import { ModelPipeline, type PipelineArtifacts, type PipelineSpec } from "@/lib/ml/pipeline";
import { StackedEnsemble } from "@/lib/ml/stacking";
import { syntheticCsv } from "@/lib/ml/synthetic";
import { ELO_BASELINE_COLUMNS } from "@/lib/nba/features";
import { storedRun } from "@/models/EnsembleRun";
import { holdoutColumns, summarizeHoldout } from "./holdout";

/** Rows of the synthetic meta table: about an NBA season range's worth, so V8 sees loops as long as a build's. */
const WARM_UP_ROWS = 3000;
const FEATURES = ["f1", "f2", "f3", "f4"];
const RUN_ID = "warm-up";

/**
 * Runs the CPU steps of an ensemble build from artifacts once, in memory, on a
 * small synthetic table: reading base models back from artifact text (the
 * envelope, the forest and scaler states through their schemas), scoring,
 * fitting and measuring the meta-model, the holdout summary, writing the
 * meta-model's artifact text and casting the run for the history. Nothing is
 * written to disk or to the database, and no cache is filled.
 *
 * Why: in a process that has never built, each of those steps runs for the
 * first time in V8's interpreter, and together they made a worker's first
 * build from artifacts two to three times slower than its next one
 * (bench/results.md). A worker runs this once as it starts, before it claims
 * jobs, when nobody waits on it; its first build then runs code V8 has
 * already compiled and profiled. What it cannot warm are the database
 * driver's paths, which need a server to answer.
 *
 * Returns the milliseconds it took.
 */
export async function warmUpBuildCode(): Promise<number> {
  const t0 = performance.now();
  // Shaped like the NBA meta table a build reads: features, a season and an Elo forecast (what the holdout summary reads).
  const table = parseCsv(syntheticCsv(WARM_UP_ROWS, 7, "label", { season: true, probability: ELO_BASELINE_COLUMNS[1] }));
  const { X, y } = toNumericMatrix(table, { features: FEATURES, target: "label" });

  const specs: PipelineSpec[] = [
    { algorithm: "logistic_regression", hyperparameters: {}, features: FEATURES, target: "label", calibration: "none", seed: 1 },
    { algorithm: "random_forest", hyperparameters: { n_estimators: 8, max_depth: 6 }, features: FEATURES, target: "label", calibration: "none", seed: 1 },
  ];
  const bases: ModelPipeline[] = [];
  for (const spec of specs) {
    const fitted = await ModelPipeline.fit(X.slice(0, 600), y.slice(0, 600), spec);
    bases.push(ModelPipeline.fromArtifacts(throughArtifactText(fitted.toArtifacts(), spec.algorithm)));
  }

  const scores = bases.map((b) => b.predictProba(X));
  const fit = await StackedEnsemble.fit(bases, scores, y, { algorithm: "logistic_regression", seed: 42 });
  const holdout = summarizeHoldout(holdoutColumns(table), fit.holdout);
  serializeEnvelope(buildEnvelope("meta_model", RUN_ID, { classifier: fit.ensemble.meta.toJSON() }, {}), "meta_model");
  await storedRun(new mongoose.Types.ObjectId(), 0, {
    run_id: RUN_ID,
    started_at: new Date(),
    total_ms: 0,
    meta_ms: 0,
    status: "succeeded",
    error: null,
    metrics: fit.metrics,
    base: fit.baseMetrics.map((metrics) => ({ model_id: new mongoose.Types.ObjectId(), model_name: "warm-up", run_id: RUN_ID, source: "artifact", ms: 0, metrics })),
    holdout,
  });
  return performance.now() - t0;
}

/** A pipeline's three payloads written as artifact text and read back, as a save and a load would. */
function throughArtifactText(artifacts: PipelineArtifacts, algorithm: string): PipelineArtifacts {
  const roundTrip = <T>(kind: "model" | "scaler" | "features", payload: T): T => {
    const text = serializeEnvelope(buildEnvelope(kind, RUN_ID, payload, { algorithm }), kind);
    return parseEnvelope(Buffer.from(text), { path: kind, kind, run_id: RUN_ID }).payload as T;
  };
  return { model: roundTrip("model", artifacts.model), scaler: roundTrip("scaler", artifacts.scaler), features: roundTrip("features", artifacts.features) };
}
