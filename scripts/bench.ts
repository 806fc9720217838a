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
import { artifactRefs } from "@/lib/training/artifact-refs";
import { ModelConfig } from "@/models/ModelConfig";
import { openThrowawayEnv, progressLog, PROJECT_ROOT, runScript, writeReport } from "./bench-env";
import { benchReport, renderBenchMarkdown, type BenchRun } from "./bench-report";
import { ENSEMBLE_FEATURES, loadGames, prepareEnsemble, SEED, splitFeatureTable, TARGET } from "./bench-setting";
import type { BenchState, VariantMode, VariantResult } from "./bench-variant";

const LATENCY: BenchState["latency"] = {
  oneRow: { warmup: 50, iterations: 300 },
  manyRows: { rows: 1000, warmup: 5, iterations: 60 },
};

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

    const results: BenchRun[] = [];
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

    const report = benchReport({ source, tables, prepared, runs, latency: LATENCY, loadStart }, results, say.ms());
    writeReport("results", report, renderBenchMarkdown(report));
    const { build_ms, rss_mb, speedup, predictions } = report.summary;
    say(`fast ${(build_ms.fast.median / 1000).toFixed(2)} s vs slow ${(build_ms.slow.median / 1000).toFixed(1)} s: ${speedup.of_medians.toFixed(0)}x; RSS ${rss_mb.fast.median.toFixed(0)} vs ${rss_mb.slow.median.toFixed(0)} MB`);
    say(`predictions identical across runs: ${predictions.identical_across_all_runs}`);
    for (const t of report.targets) say(`target ${t.met ? "met" : "MISSED"}: ${t.name}: ${t.measured}`);
    say(`wrote bench/results.json and bench/results.md in ${(report.total_ms / 1000).toFixed(0)} s`);
  } finally {
    await env.close();
  }
}

runScript("bench", main);
