/**
 * npm run bench: how much faster an ensemble builds from saved artifacts than
 * by retraining every base model, measured on the real code path.
 *
 *   npm run bench [-- --runs 4] [--compare DIR=label ...]
 *
 * Setting: four base models trained on the base seasons, a logistic meta-model
 * on the meta seasons (see scripts/bench-setting.ts). Then, interleaved (fast,
 * slow, fast, slow, ...), each build runs in its own process
 * (scripts/bench-variant.ts): "fast" with every base model's artifacts present,
 * "slow" with them deleted first, so every base model is retrained. --compare
 * also runs the fast build of another checkout (DIR, with its own
 * node_modules) on the same database and artifacts, right after this
 * checkout's in every round, so before and after come from one run. Writes
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
import mongoose from "mongoose";
import { defaultArtifactStore, verifyArtifact } from "@/lib/artifacts";
import { artifactRefs } from "@/lib/training/artifact-refs";
import { clearCaches } from "@/lib/cache";
import { config } from "@/lib/config";
import { RUNS_KEPT, deleteRunHistory, readRunHistory } from "@/lib/ensemble/runs";
import { getEnsemble } from "@/lib/ensemble/service";
import { percentile } from "@/lib/evaluation/stats";
import { Ensemble } from "@/models/Ensemble";
import { EnsembleRun, runsCollectionOf, storedRun } from "@/models/EnsembleRun";
import { ModelConfig } from "@/models/ModelConfig";
import { openThrowawayEnv, progressLog, PROJECT_ROOT, runScript, writeReport } from "./bench-env";
import { benchReport, renderBenchMarkdown, type BenchRun, type ComparedRun, type HistoryRun } from "./bench-report";
import { ENSEMBLE_FEATURES, loadGames, prepareEnsemble, SEED, splitFeatureTable, TARGET } from "./bench-setting";
import type { BenchState, VariantMode, VariantResult } from "./bench-variant";

const LATENCY: BenchState["latency"] = {
  oneRow: { warmup: 50, iterations: 300 },
  manyRows: { rows: 1000, warmup: 5, iterations: 60 },
};

const say = progressLog("bench");

/** The comparison row of this checkout's fresh build with nothing kept on disk yet. */
const FIRST_ON_NODE_LABEL = "this checkout, nothing kept on disk yet (a node's first build over these base model runs)";
/** The comparison row of this checkout's fresh build without the warm-up a worker runs as it starts. */
const NO_WARM_UP_LABEL = "this checkout, no warm-up at start (a process that builds at once)";

/** Rounds of fast builds (every checkout) with a full run history, after the rounds above. */
const HISTORY_ROUNDS = 2;

/** Where a checkout keeps an ensemble's run history. */
type HistoryLayout = "own-collection" | "shared-collection" | "inline";

/** This checkout's layout, or a --compare checkout's, read from its sources. */
function historyLayout(root: string): HistoryLayout {
  const runs = path.join(root, "lib/ensemble/runs.ts");
  if (fs.existsSync(runs) && fs.readFileSync(runs, "utf8").includes("runsCollectionOf")) return "own-collection";
  return fs.existsSync(path.join(root, "models/EnsembleRun.ts")) ? "shared-collection" : "inline";
}

/**
 * Gives the ensemble a full history (RUNS_KEPT copies of its newest run) the
 * way the checkout about to build it keeps one: in the ensemble's own runs
 * collection (this one); all ensembles' runs in one ensemble_runs collection
 * (versions from before own collections); inside the ensemble's document
 * (versions from before ensemble_runs), and NEIGHBOURS other ensembles with
 * the same history in the same layout. Each layout starts from nothing left by
 * another.
 */
async function fillHistory(ensembleId: string, layout: HistoryLayout): Promise<void> {
  const doc = (await Ensemble.findById(ensembleId).lean())!;
  // From the history, whole: the document's copy of the newest run leaves out its holdout summary. Every layout's
  // document then gets the whole run as its newest, as versions before this one kept it (this one's first build
  // replaces it).
  const newest = (await readRunHistory(doc)).at(-1) ?? doc.last_run ?? doc.runs?.at(-1);
  if (!newest) throw new Error("the ensemble has no run to copy into its history");
  await clearNeighbours();
  for (const id of [doc._id, ...NEIGHBOURS]) await deleteRunHistory(id);
  const indices = Array.from({ length: RUNS_KEPT }, (_, index) => index);
  // The other ensembles: copies of this one under other names, each with the same full history.
  const { _id: _ignored, name, ...rest } = doc;
  for (const [k, id] of NEIGHBOURS.entries()) {
    await Ensemble.collection.insertOne({ ...rest, _id: id, name: `${name} (neighbour ${k + 1})`, runs: [], run_count: 0 });
  }
  for (const id of [doc._id, ...NEIGHBOURS]) {
    if (layout === "inline") {
      await Ensemble.collection.updateOne({ _id: id }, { $set: { runs: indices.map(() => newest) }, $unset: { run_count: "", own_runs_collection: "" } });
      continue;
    }
    // Runs 0..99, as 100 builds leave them, written in a few commands rather than 100 builds' worth of writes.
    if (layout === "shared-collection") {
      await EnsembleRun.insertMany(indices.map((index) => ({ _id: `${String(id)}:${index}`, ensemble_id: id, index, run: newest })));
    } else {
      await runsCollectionOf(id).insertMany(await Promise.all(indices.map((index) => storedRun(id, index, newest))));
    }
    await Ensemble.collection.updateOne(
      { _id: id },
      { $unset: { runs: "" }, $set: { run_count: RUNS_KEPT, last_run: newest, own_runs_collection: layout === "own-collection" } },
    );
  }
}

/** Other ensembles with full histories of their own, there while the measured one builds, as in a team's database. */
const NEIGHBOURS = Array.from({ length: 9 }, () => new mongoose.Types.ObjectId());

async function clearNeighbours(): Promise<void> {
  for (const id of NEIGHBOURS) await deleteRunHistory(id);
  await Ensemble.collection.deleteMany({ _id: { $in: NEIGHBOURS } });
}

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

/** One build in a fresh process of the checkout at `root`, which inherits the throwaway env's variables. */
function runVariant(mode: VariantMode, label: string, stateFile: string, root = PROJECT_ROOT, extra: string[] = []): Promise<{ result: VariantResult; processMs: number }> {
  const outFile = path.join(path.dirname(stateFile), `${label.replace(/\W+/g, "-")}.json`);
  const tsx = path.join(root, "node_modules/.bin/tsx");
  const args = [path.join(root, "scripts/bench-variant.ts"), mode, "--state", stateFile, "--out", outFile, "--label", label, ...extra];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      const processMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${label} exited with ${signal ?? `code ${code}`}`));
      resolve({ result: JSON.parse(fs.readFileSync(outFile, "utf8")) as VariantResult, processMs });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: "string", default: "4" }, compare: { type: "string", multiple: true } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new Error("--runs must be a whole number from 1 to 20.");
  const compare = (values.compare ?? []).map((arg) => {
    const [dir, label] = arg.split("=");
    const root = path.resolve(dir);
    if (!fs.existsSync(path.join(root, "scripts/bench-variant.ts"))) throw new Error(`--compare ${arg}: ${root} has no scripts/bench-variant.ts.`);
    return { root, label: label || path.basename(root) };
  });
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
    // The database reads and rewrites the ensemble's document, run history included, on each of a build's writes to
    // it: every process starts from an empty history, so rounds and checkouts are timed on the same document.
    // No run in any layout: the next build is the ensemble's first recorded one (each checkout starts its history anew).
    const clearHistory = async () => {
      await deleteRunHistory(new mongoose.Types.ObjectId(prepared.ensembleId));
      await Ensemble.collection.updateOne({ _id: new mongoose.Types.ObjectId(prepared.ensembleId) }, { $set: { runs: [], run_count: 0 } });
    };
    const measure = async (mode: VariantMode, i: number): Promise<BenchRun> => {
      const label = `${mode} ${i}/${runs}`;
      await clearHistory();
      const { result, processMs } = await runVariant(mode, label, stateFile);
      say(`${label}: build ${(result.build_ms / 1000).toFixed(2)} s, process ${(processMs / 1000).toFixed(1)} s, peak RSS ${result.rss_mb.end.toFixed(0)} MB`);
      return { ...result, process_ms: processMs, iteration: i };
    };

    const results: BenchRun[] = [];
    const compared: ComparedRun[] = [];
    const own = { root: PROJECT_ROOT, label: null };
    // This checkout with its derived-data cache emptied first: a fresh process on a node that has never built over this
    // meta CSV and these base model runs. It fills the cache, so this checkout's own fast run, always after it in a round,
    // finds what it derived, as a restarted worker does. (Each slow run retrains every base model: new runs, which no
    // earlier process has scored.)
    const firstOnNode = { root: PROJECT_ROOT, label: FIRST_ON_NODE_LABEL, emptyCacheFirst: true };
    // This checkout's fresh build as a process that builds at once, without the warm-up a worker runs before it claims jobs.
    const noWarmUp = { root: PROJECT_ROOT, label: NO_WARM_UP_LABEL, extra: ["--no-warm-up"] };
    for (let i = 1; i <= runs; i++) {
      await prepareArtifacts("fast", modelIds, env.artifactDir);
      say(`round ${i}/${runs}: artifacts present`);
      // Alternated, so neither checkout always runs right after the other's writes and file activity.
      const fastOrder: Array<{ root: string; label: string | null; emptyCacheFirst?: boolean; extra?: string[] }> =
        i % 2 === 1 ? [firstOnNode, own, noWarmUp, ...compare] : [...compare, firstOnNode, noWarmUp, own];
      for (const checkout of fastOrder) {
        if (checkout.label === null) {
          results.push(await measure("fast", i));
          continue;
        }
        const label = `${checkout.label} fast ${i}/${runs}`;
        await clearHistory();
        if (checkout.emptyCacheFirst) fs.rmSync(config().cacheDir, { recursive: true, force: true });
        const { result } = await runVariant("fast", label, stateFile, checkout.root, checkout.extra);
        compared.push({ checkout: checkout.label, iteration: i, build_ms: result.build_ms, warm_rebuild_ms: result.warm_rebuild_ms, probabilities: result.holdout.probabilities });
        say(`${label}: build ${(result.build_ms / 1000).toFixed(2)} s, warm rebuild ${((result.warm_rebuild_ms ?? Number.NaN) / 1000).toFixed(2)} s`);
      }
      await prepareArtifacts("slow", modelIds, env.artifactDir);
      say(`round ${i}/${runs}: artifacts deleted, every base model will be retrained`);
      results.push(await measure("slow", i));
    }

    // The same fast builds with the history a rebuilt ensemble reaches (it keeps the newest RUNS_KEPT runs).
    const withHistory: HistoryRun[] = [];
    // The last slow run retrained every base model: one unmeasured build first derives what this checkout keeps on disk
    // for the new runs, so its history builds start where its fast runs above did.
    if (HISTORY_ROUNDS > 0) {
      await prepareArtifacts("fast", modelIds, env.artifactDir);
      await clearHistory();
      await runVariant("fast", "filling the derived-data cache", stateFile);
    }
    for (let i = 1; i <= HISTORY_ROUNDS; i++) {
      await prepareArtifacts("fast", modelIds, env.artifactDir);
      const order = i % 2 === 1 ? [own, ...compare] : [...compare, own];
      for (const checkout of order) {
        const label = `${checkout.label === null ? "" : `${checkout.label} `}fast, full history ${i}/${HISTORY_ROUNDS}`;
        await fillHistory(prepared.ensembleId, historyLayout(checkout.root));
        // The same pause after filling for every checkout, so none builds while the database still writes the history out.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const { result } = await runVariant("fast", label, stateFile, checkout.root);
        withHistory.push({ checkout: checkout.label, iteration: i, build_ms: result.build_ms, warm_rebuild_ms: result.warm_rebuild_ms });
        say(`${label}: build ${(result.build_ms / 1000).toFixed(2)} s, warm rebuild ${((result.warm_rebuild_ms ?? Number.NaN) / 1000).toFixed(2)} s`);
      }
    }

    // This checkout's history read with the same neighbours: what an ensemble's page waits for.
    const historyReadMs: number[] = [];
    const sharedReadMs: number[] = [];
    if (withHistory.length > 0) {
      await fillHistory(prepared.ensembleId, "own-collection");
      for (let k = 0; k < 5; k++) {
        clearCaches();
        const t = performance.now();
        await getEnsemble(prepared.ensembleId);
        historyReadMs.push(performance.now() - t);
      }
      say(`reading the ensemble with 100 runs: median ${percentile(historyReadMs, 50).toFixed(0)} ms`);
      // The same 100 runs with every ensemble's in one collection, read as the version before own collections read
      // them: by _id, ten at a time (its lib/ensemble/runs.ts), each lookup on the embedded database reading the lot.
      await fillHistory(prepared.ensembleId, "shared-collection");
      const id = new mongoose.Types.ObjectId(prepared.ensembleId);
      for (let k = 0; k < 2; k++) {
        const t = performance.now();
        for (let from = 0; from < RUNS_KEPT; from += 10) {
          await Promise.all(Array.from({ length: 10 }, (_, j) => EnsembleRun.findById(`${prepared.ensembleId}:${from + j}`, { run: 1 }).lean()));
        }
        sharedReadMs.push(performance.now() - t);
      }
      say(`the same runs read from one shared collection, as before: median ${percentile(sharedReadMs, 50).toFixed(0)} ms`);
      await clearNeighbours();
      await deleteRunHistory(id);
    }
    const report = benchReport({ source, tables, prepared, runs, latency: LATENCY, loadStart }, results, say.ms(), compared, withHistory, { own: historyReadMs, shared: sharedReadMs });
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
