/**
 * Timing check for the ML layer (not a test): trains the random forest with its
 * default hyperparameters on synthetic data of growing size, and logistic
 * regression on 60,000 x 20, and prints wall-clock and CPU seconds (they differ
 * when the machine is shared) next to estimateTrainingSeconds.
 * Usage: npx tsx scripts/bench-ml.ts [rf-rows ...]
 */
import { createClassifier, defaultHyperparameters, estimateTrainingSeconds } from "@/lib/ml/algorithms";
import { evaluate } from "@/lib/ml/metrics";
import { syntheticBinary } from "@/lib/ml/synthetic";

/** Heavy label noise, so trees grow full and the timings are not flattered. */
const GAME_LIKE_NOISE = 3;

async function bench(algorithm: string, rows: number, features: number): Promise<void> {
  const train = syntheticBinary(rows, features, 1, GAME_LIKE_NOISE);
  const test = syntheticBinary(2000, features, 2, GAME_LIKE_NOISE);
  const hp = defaultHyperparameters(algorithm);
  const classifier = createClassifier(algorithm, hp, 42);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await classifier.fit(train.X, train.y);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const m = evaluate(test.y, classifier.predictProba(test.X));
  const estimate = estimateTrainingSeconds(algorithm, hp, rows, features);
  console.log(
    `${algorithm.padEnd(20)} ${String(rows).padStart(6)} rows x ${String(features).padStart(2)} features: ` +
      `${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU (estimate ${estimate.toFixed(1)} s), test AUC ${m.auc.toFixed(3)}`,
  );
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  await bench("logistic_regression", 60_000, 20);
  for (const rows of sizes.length > 0 ? sizes : [5_000, 20_000, 60_000]) await bench("random_forest", rows, 12);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
