/**
 * npm run bench: how much faster an ensemble builds from saved artifacts than
 * by retraining every base model, measured on the real code path.
 *
 *   npm run bench [-- --runs 4]
 *
 * Setting: four base models trained on the base seasons, a logistic meta-model
 * on the meta seasons (see scripts/bench-setting.ts). Then, interleaved (fast,
 * slow, fast, slow, ...), each build runs in its own process
 * (scripts/bench-variant.ts): "fast" with every base model's artifacts present,
 * "slow" with them deleted first, so every base model is retrained. Writes
 * bench/results.json and bench/results.md. Uses a throwaway database, artifact
 * and data folder (MONGODB_URI, when set, names the server to use; a fresh
 * database on it is dropped at the end).
 */
import "./bench-quiet-logs";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { defaultArtifactStore, verifyArtifact } from "@/lib/artifacts";
import { compareProbabilities, probabilitiesFingerprint, spread, type Spread } from "@/lib/evaluation";
import { artifactRefs } from "@/lib/training/artifact-refs";
import { ModelConfig } from "@/models/ModelConfig";
import { openThrowawayEnv, progressLog, PROJECT_ROOT, runScript, writeReport } from "./bench-env";
import { renderBenchMarkdown, type BenchReport } from "./bench-report";
import { ENSEMBLE_FEATURES, loadGames, prepareEnsemble, SEED, SPANS, splitFeatureTable, TARGET } from "./bench-setting";
import type { BenchState, VariantMode, VariantResult } from "./bench-variant";

const LATENCY: BenchState["latency"] = {
  oneRow: { warmup: 50, iterations: 300 },
  manyRows: { rows: 1000, warmup: 5, iterations: 60 },
};
const TARGETS = { speedup: 50, rssShare: 0.5, loadMs: 100 };

const say = progressLog("bench");

/** Fast runs need every base artifact present and verified; slow runs need none. */
async function prepareArtifacts(mode: VariantMode, modelIds: string[], artifactDir: string): Promise<void> {
  const store = defaultArtifactStore();
  const docs = await ModelConfig.find({ _id: { $in: modelIds } }).lean();
  for (const doc of docs) {
    for (const ref of artifactRefs(doc)) {
      const rel = ref.path;
      if (!rel) throw new Error(`model "${doc.name}" records no ${ref.kind} artifact`);
      if (mode === "slow") fs.rmSync(path.join(artifactDir, rel), { force: true });
      const v = await verifyArtifact(store, ref);
      const want = mode === "fast" ? "present" : "missing";
      if (v.status !== want) throw new Error(`before a ${mode} run, ${rel} of "${doc.name}" is ${v.status}, not ${want}.`);
    }
  }
}

/** One build in a fresh process, which inherits the throwaway env's variables. */
function runVariant(mode: VariantMode, label: string, stateFile: string): Promise<{ result: VariantResult; processMs: number }> {
  const outFile = path.join(path.dirname(stateFile), `${label.replace(/\W+/g, "-")}.json`);
  const tsx = path.join(PROJECT_ROOT, "node_modules/.bin/tsx");
  const args = [path.join(PROJECT_ROOT, "scripts/bench-variant.ts"), mode, "--state", stateFile, "--out", outFile, "--label", label];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, args, { cwd: PROJECT_ROOT, stdio: ["ignore", "inherit", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      const processMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${label} exited with ${signal ?? `code ${code}`}`));
      resolve({ result: JSON.parse(fs.readFileSync(outFile, "utf8")) as VariantResult, processMs });
    });
  });
}

function spreadOf<T>(items: T[], pick: (item: T) => number): Spread {
  return spread(items.map(pick));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "4" } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new Error("--runs must be a whole number from 1 to 20.");
  const loadStart = os.loadavg();

  say("reading games");
  const source = loadGames();
  const tables = splitFeatureTable(source.games);
  say(`${source.kind === "shared" ? "shared NBA history" : "generated games"}: ${source.games.length} games -> ${tables.base.length} base rows, ${tables.meta.length} meta rows`);

  const env = await openThrowawayEnv("bench", say);
  try {
    const prepared = await prepareEnsemble("bench", tables, say);
    const modelIds = prepared.models.map((m) => m.id);
    const state: BenchState = {
      ensembleId: prepared.ensembleId,
      metaDatasetPath: prepared.metaDataset.path,
      features: ENSEMBLE_FEATURES,
      target: TARGET,
      seed: SEED,
      latency: LATENCY,
    };
    const stateFile = path.join(path.dirname(env.artifactDir), "bench-state.json");
    fs.writeFileSync(stateFile, JSON.stringify(state));

    const results: Array<VariantResult & { process_ms: number; iteration: number }> = [];
    for (let i = 1; i <= runs; i++) {
      for (const mode of ["fast", "slow"] as const) {
        const label = `${mode} ${i}/${runs}`;
        await prepareArtifacts(mode, modelIds, env.artifactDir);
        say(`${label}: ${mode === "fast" ? "artifacts present" : "artifacts deleted, every base model will be retrained"}`);
        const { result, processMs } = await runVariant(mode, label, stateFile);
        results.push({ ...result, process_ms: processMs, iteration: i });
        say(`${label}: build ${(result.build_ms / 1000).toFixed(2)} s, process ${(processMs / 1000).toFixed(1)} s, peak RSS ${result.rss_mb.end.toFixed(0)} MB`);
      }
    }

    const fast = results.filter((r) => r.mode === "fast");
    const slow = results.filter((r) => r.mode === "slow");
    const reference = fast[0].holdout.probabilities;
    const comparisons = results.map((r) => ({ label: r.label, ...compareProbabilities(reference, r.holdout.probabilities) }));
    const fastBuild = spreadOf(fast, (r) => r.build_ms);
    const slowBuild = spreadOf(slow, (r) => r.build_ms);
    const fastRss = spreadOf(fast, (r) => r.rss_mb.end);
    const slowRss = spreadOf(slow, (r) => r.rss_mb.end);
    const pairRatios = fast.map((f, k) => slow[k].build_ms / f.build_ms);
    const perBase = prepared.models.map((m, j) => ({
      name: m.spec.name,
      algorithm: m.spec.algorithm,
      features: m.spec.features.length,
      bytes: fast[fast.length - 1].base[j].bytes,
      model_bytes: fast[fast.length - 1].base[j].model_bytes,
      load_ms: spreadOf(fast, (r) => r.base[j].load_ms),
      reload_ms: spreadOf(fast, (r) => r.base[j].reload_ms ?? Number.NaN),
      obtain_ms_fast: spreadOf(fast, (r) => r.base[j].obtain_ms),
      retrain_ms: spreadOf(slow, (r) => r.base[j].obtain_ms),
    }));
    const latencyKinds = ["api_1", "api_many", "memory_1", "memory_many"] as const;
    const latency = Object.fromEntries(
      latencyKinds.map((k) => {
        const samples = fast.map((r) => r.latency?.[k]).filter((s) => s !== undefined && s !== null);
        return [k, { rows: samples[0].rows, iterations: samples[0].iterations, p50_ms: spread(samples.map((s) => s.p50_ms)), p99_ms: spread(samples.map((s) => s.p99_ms)) }];
      }),
    ) as BenchReport["summary"]["latency"];
    const worstLoad = Math.max(...perBase.map((b) => b.load_ms.max));
    const speedup = slowBuild.median / fastBuild.median;
    const rssShare = fastRss.median / slowRss.median;

    const report: BenchReport = {
      generated_at: new Date().toISOString(),
      machine: { node: process.version, cpus: os.cpus().length, platform: `${os.platform()} ${os.release()}`, loadavg_start: loadStart, loadavg_end: os.loadavg() },
      data: {
        source: source.kind,
        description: source.description,
        base: { seasons: SPANS.base, rows: tables.base.length },
        meta: { seasons: SPANS.meta, rows: tables.meta.length, holdout_rows: fast[0].holdout.rows },
      },
      setting: {
        base_models: prepared.models.map((m) => ({ name: m.spec.name, algorithm: m.spec.algorithm, features: m.spec.features, hyperparameters: m.spec.hyperparameters })),
        meta_model: "logistic_regression",
        runs_per_mode: runs,
        latency: LATENCY,
      },
      initial_training_ms: prepared.models.map((m) => ({ name: m.spec.name, ms: m.training_ms })),
      runs: results.map((r) => ({
        label: r.label,
        mode: r.mode,
        iteration: r.iteration,
        build_ms: r.build_ms,
        warm_rebuild_ms: r.warm_rebuild_ms,
        process_ms: r.process_ms,
        meta_ms: r.meta_ms,
        rss_mb: r.rss_mb,
        base: r.base,
        holdout_fingerprint: probabilitiesFingerprint(r.holdout.probabilities),
        holdout_matches_build_check: r.holdout.matches_build_check,
        metrics: r.metrics,
        latency: r.latency,
      })),
      summary: {
        build_ms: { fast: fastBuild, slow: slowBuild, fast_warm_rebuild: spreadOf(fast, (r) => r.warm_rebuild_ms ?? Number.NaN) },
        fast_breakdown_ms: {
          base_loads: spreadOf(fast, (r) => r.base.reduce((sum, b) => sum + b.obtain_ms, 0)),
          meta_step: spreadOf(fast, (r) => r.meta_ms),
          rest: spreadOf(fast, (r) => r.build_ms - r.meta_ms - r.base.reduce((sum, b) => sum + b.obtain_ms, 0)),
        },
        process_ms: { fast: spreadOf(fast, (r) => r.process_ms), slow: spreadOf(slow, (r) => r.process_ms) },
        speedup: { of_medians: speedup, per_pair: spread(pairRatios) },
        rss_mb: {
          fast: fastRss,
          slow: slowRss,
          fast_after_build: spreadOf(fast, (r) => r.rss_mb.after_build),
          slow_after_build: spreadOf(slow, (r) => r.rss_mb.after_build),
          baseline: spreadOf(results, (r) => r.rss_mb.start),
          fast_share_of_slow: rssShare,
        },
        predictions: {
          rows: reference.length,
          identical_across_all_runs: comparisons.every((c) => c.identical),
          worst_max_abs_diff: Math.max(...comparisons.map((c) => c.max_abs_diff)),
          per_run: comparisons,
          reloaded_equal_in_build: results.every((r) => r.holdout.matches_build_check),
        },
        per_base: perBase,
        latency,
      },
      targets: [
        { name: `fast path at least ${TARGETS.speedup}x faster than slow`, measured: `${speedup.toFixed(0)}x`, met: speedup >= TARGETS.speedup },
        {
          name: "fast-path peak RSS at most half the slow path's",
          measured: `${(rssShare * 100).toFixed(0)}% (${fastRss.median.toFixed(0)} / ${slowRss.median.toFixed(0)} MB)`,
          met: rssShare <= TARGETS.rssShare,
        },
        { name: `each base model's artifact load under ${TARGETS.loadMs} ms`, measured: `worst ${worstLoad.toFixed(1)} ms`, met: worstLoad < TARGETS.loadMs },
      ],
      total_ms: say.ms(),
    };
    writeReport("results", report, renderBenchMarkdown(report));
    say(`fast ${(fastBuild.median / 1000).toFixed(2)} s vs slow ${(slowBuild.median / 1000).toFixed(1)} s: ${speedup.toFixed(0)}x; RSS ${fastRss.median.toFixed(0)} vs ${slowRss.median.toFixed(0)} MB`);
    say(`predictions identical across runs: ${report.summary.predictions.identical_across_all_runs}`);
    for (const t of report.targets) say(`target ${t.met ? "met" : "MISSED"}: ${t.name}: ${t.measured}`);
    say(`wrote bench/results.json and bench/results.md in ${(report.total_ms / 1000).toFixed(0)} s`);
  } finally {
    await env.close();
  }
}

runScript("bench", main);
