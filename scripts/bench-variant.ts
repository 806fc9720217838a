/**
 * One measured ensemble build, in a process of its own so its peak memory is
 * its own: `tsx scripts/bench-variant.ts fast|slow --state FILE --out FILE [--no-warm-up]`.
 * Like a worker (scripts/worker.ts), it warms the build's code before its
 * first build unless told not to. Started by scripts/bench.ts, which prepares the artifacts (present for fast,
 * deleted for slow) and the environment (MONGODB_URI, ARTIFACT_DIR, DATA_DIR).
 * Writes its measurements as JSON to --out; progress goes to stderr.
 */
import "./bench-quiet-logs";
import fs from "node:fs";
import { parseArgs } from "node:util";
import { readDatasetTable } from "@/lib/datasets";
import { connectDb, connectionSettled, disconnectDb, pingDb } from "@/lib/db";
import { clearCaches } from "@/lib/cache";
import { buildEnsemble } from "@/lib/ensemble/build";
import { loadEnsemble, predictWithEnsemble } from "@/lib/ensemble/load";
import { findEnsemble } from "@/lib/ensemble/service";
import { warmUpBuildCode } from "@/lib/ensemble/warm-up";
import { percentile } from "@/lib/evaluation";
import { toNumericMatrix } from "@/lib/ml/csv";
import { rowsToMatrix } from "@/lib/ml/matrix";
import type { ModelPipeline } from "@/lib/ml/pipeline";
import { rowsScoredOnThread, scoreInHalves } from "@/lib/ml/scoring-thread";
import { holdoutSplit, takeRows } from "@/lib/ml/split";
import { META_HOLDOUT_FRACTION, type StackedEnsemble } from "@/lib/ml/stacking";
import { loadTrainedModel } from "@/lib/training/load";
import { ModelConfig } from "@/models/ModelConfig";
import { runScript } from "./bench-env";

export type VariantMode = "fast" | "slow";

/** What bench.ts hands every variant process. */
export interface BenchState {
  ensembleId: string;
  metaDatasetPath: string;
  /** Every feature a base model reads, i.e. the columns of a prediction row. */
  features: string[];
  target: string;
  seed: number;
  latency: { oneRow: Loop; manyRows: Loop & { rows: number } };
}

interface Loop {
  warmup: number;
  iterations: number;
}

type Row = Record<string, number>;

/** Builds timed after the warm rebuild, for a worker's steady state. */
const STEADY_REBUILDS = 5;

export type VariantResult = Awaited<ReturnType<typeof run>>;
export type LatencyKind = keyof Awaited<ReturnType<typeof measureLatency>>;

/** Peak resident memory in MB (maxRSS is in kilobytes). */
const rssMb = () => process.resourceUsage().maxRSS / 1024;

/** p50, p99 and mean of `iterations` timed calls after `warmup` untimed ones. */
async function timeCalls(rows: number, { warmup, iterations }: Loop, fn: () => unknown) {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return { rows, iterations, p50_ms: percentile(samples, 50), p99_ms: percentile(samples, 99), mean_ms: samples.reduce((a, b) => a + b, 0) / samples.length };
}

/** Warm predict latency: through predictWithEnsemble (what the API route calls) and on the loaded ensemble in memory. */
async function measureLatency(state: BenchState, one: Row[], many: Row[]) {
  const { oneRow, manyRows } = state.latency;
  const ensemble = await loadEnsemble(await findEnsemble(state.ensembleId));
  return {
    api_1: await timeCalls(1, oneRow, () => predictWithEnsemble(state.ensembleId, { rows: one })),
    api_many: await timeCalls(many.length, manyRows, () => predictWithEnsemble(state.ensembleId, { rows: many })),
    memory_1: await timeCalls(1, oneRow, () => ensemble.stack.predictRows(one)),
    memory_many: await timeCalls(many.length, manyRows, () => ensemble.stack.predictRows(many)),
    memory_many_halves: await timeHalves(ensemble.stack, many, manyRows),
  };
}

/**
 * The loaded ensemble scoring the same rows in two halves at once (what serving does with a large batch), timed
 * once the scoring thread holds it: until then scoreInHalves scores on one thread and sends the ensemble along.
 */
async function timeHalves(stack: StackedEnsemble<ModelPipeline>, rows: Row[], loop: Loop) {
  const score = () => scoreInHalves(stack, rowsToMatrix(rows, stack.features));
  const before = rowsScoredOnThread();
  for (let attempt = 0; attempt < 200 && rowsScoredOnThread() === before; attempt++) {
    await score();
    // The thread's answer that it holds the ensemble arrives as an event, which needs a turn of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (rowsScoredOnThread() === before) throw new Error("the scoring thread never took a half of the rows");
  return timeCalls(rows.length, loop, score);
}

async function run(mode: VariantMode, state: BenchState, label: string, warmUp: boolean) {
  const say = (line: string) => process.stderr.write(`  [${label}] ${line}\n`);
  await connectDb();
  await pingDb(5000);
  // Timed from where a worker's first job starts (scripts/worker.ts): connected, collections and indexes ensured, code warmed.
  await connectionSettled();
  const warmUpMs = warmUp ? await warmUpBuildCode() : null;
  const rssStart = rssMb();

  let lastMessage = "";
  const t0 = performance.now();
  const build = await buildEnsemble(state.ensembleId, {
    onProgress: (_f, message) => {
      const text = message ?? "";
      if (text !== lastMessage && !text.startsWith("loading base model")) say(text);
      lastMessage = text;
    },
  });
  const buildMs = performance.now() - t0;
  const rssAfterBuild = rssMb();
  say(`built in ${(buildMs / 1000).toFixed(2)} s (sources: ${build.base.map((b) => b.source).join(", ")})`);

  const expected = mode === "fast" ? "artifact" : "retrained";
  const wrong = build.base.filter((b) => b.source !== expected);
  if (wrong.length > 0) {
    throw new Error(`${mode} run expected every base model to be "${expected}", got ${wrong.map((b) => `${b.model_name}: ${b.source}`).join(", ")}.`);
  }

  // The ensemble's predictions on the meta holdout rows, served from its saved artifacts.
  const table = await readDatasetTable(state.metaDatasetPath);
  const { X } = toNumericMatrix(table, { features: state.features, target: state.target });
  const asRow = (values: number[]): Row => Object.fromEntries(state.features.map((f, j) => [f, values[j]]));
  const { test } = holdoutSplit(X.length, META_HOLDOUT_FRACTION, state.seed);
  const holdoutRows = takeRows(X, test).map(asRow);
  const { probabilities } = await predictWithEnsemble(state.ensembleId, { rows: holdoutRows });
  const checkAt = build.check.rows.map((r) => test.indexOf(r));
  const matchesBuildCheck = checkAt.every((k, i) => k >= 0 && Object.is(probabilities[k], build.check.probabilities[i]));

  const base = [];
  for (const timing of build.base) {
    const doc = await ModelConfig.findById(timing.model_id).lean();
    if (!doc) throw new Error(`base model ${timing.model_id} disappeared`);
    const first = await loadTrainedModel(doc); // the instance the build loaded, from the cache
    let reloadMs: number | null = null;
    if (mode === "fast") {
      clearCaches(["loaded-models"]);
      reloadMs = (await loadTrainedModel(doc)).loadMs;
    }
    base.push({
      model_id: timing.model_id,
      name: timing.model_name,
      source: timing.source,
      // As recorded by the build: config lookup plus artifact load (fast) or retrain + save + load (slow).
      obtain_ms: timing.ms,
      load_ms: first.loadMs,
      reload_ms: reloadMs,
      bytes: first.bytes,
      model_bytes: doc.artifact_bytes?.model ?? null,
    });
  }

  let latency: Awaited<ReturnType<typeof measureLatency>> | null = null;
  let warmRebuildMs: number | null = null;
  let steadyRebuildMs: number | null = null;
  if (mode === "fast") {
    const many = Array.from({ length: state.latency.manyRows.rows }, (_, i) => asRow(X[i % X.length]));
    say(`predict latency: ${state.latency.oneRow.iterations} x 1 row, ${state.latency.manyRows.iterations} x ${many.length} rows`);
    latency = await measureLatency(state, [holdoutRows[0]], many);

    // A second build in the same, now warm, process with the loaded models dropped, so every artifact is
    // read and verified again, while the meta CSV stays parsed and the base models' probabilities on it
    // stay kept (by checksum and run_id): what a long-running worker sees when it rebuilds; the first
    // build pays the process's cold start.
    clearCaches(["loaded-models"]);
    const t1 = performance.now();
    const again = await buildEnsemble(state.ensembleId);
    warmRebuildMs = performance.now() - t1;
    if (again.base.some((b) => b.source !== "artifact")) throw new Error("the warm rebuild retrained a base model");
    say(`warm rebuild in ${(warmRebuildMs / 1000).toFixed(2)} s`);

    // Further rebuilds the same way: a worker that has built a few times, its code optimised by V8 (the second build
    // still runs much of it for the first or second time). The median of STEADY_REBUILDS.
    const steady: number[] = [];
    for (let k = 0; k < STEADY_REBUILDS; k++) {
      clearCaches(["loaded-models"]);
      const t = performance.now();
      await buildEnsemble(state.ensembleId);
      steady.push(performance.now() - t);
    }
    steadyRebuildMs = percentile(steady, 50);
    say(`steady rebuilds: median ${steadyRebuildMs.toFixed(0)} ms`);
  }

  return {
    mode,
    label,
    /** Wall time of buildEnsemble, measured around the call. */
    build_ms: buildMs,
    /** The worker's warm-up before its first build (null: skipped), not part of build_ms. */
    warm_up_ms: warmUpMs,
    meta_ms: build.meta_ms,
    /** Wall time of obtaining the base models (loaded at once). */
    base_ms: build.base_ms,
    /** Peak resident memory (MB) after connecting, after the build, and at the end. */
    rss_mb: { start: rssStart, after_build: rssAfterBuild, end: rssMb() },
    base,
    holdout: { rows: holdoutRows.length, probabilities, matches_build_check: matchesBuildCheck },
    metrics: build.metrics,
    latency,
    warm_rebuild_ms: warmRebuildMs,
    /** Median of the STEADY_REBUILDS builds after the warm rebuild, each with the loaded models dropped. */
    steady_rebuild_ms: steadyRebuildMs,
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { state: { type: "string" }, out: { type: "string" }, label: { type: "string" }, "no-warm-up": { type: "boolean", default: false } },
  });
  const mode = positionals[0];
  if ((mode !== "fast" && mode !== "slow") || !values.state || !values.out) {
    throw new Error("usage: tsx scripts/bench-variant.ts fast|slow --state FILE --out FILE [--label TEXT] [--no-warm-up]");
  }
  const state = JSON.parse(fs.readFileSync(values.state, "utf8")) as BenchState;
  try {
    fs.writeFileSync(values.out, JSON.stringify(await run(mode, state, values.label ?? mode, !values["no-warm-up"])));
  } finally {
    await disconnectDb();
  }
}

runScript("bench-variant", main);
