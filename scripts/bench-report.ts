/** The benchmark's report: what it makes of the runs (its JSON shape) and its Markdown rendering. */
import os from "node:os";
import { bytes, compareProbabilities, describeSpan, fixed, markdownTable, ms, probabilitiesFingerprint, spread, withRange, type Spread } from "@/lib/evaluation";
import { SPANS, type GamesSource, type PreparedEnsemble, type SplitTables } from "./bench-setting";
import type { BenchState, LatencyKind, VariantResult } from "./bench-variant";

export type BenchRun = VariantResult & { process_ms: number; iteration: number };
export type BenchReport = ReturnType<typeof benchReport>;

/** A fast build of another checkout (--compare), run in the same round as this checkout's. */
export interface ComparedRun {
  checkout: string;
  iteration: number;
  build_ms: number;
  warm_rebuild_ms: number | null;
  probabilities: number[];
}

/** A fast build with a full run history (bench.ts fillHistory); checkout null: this one. */
export interface HistoryRun {
  checkout: string | null;
  iteration: number;
  build_ms: number;
  warm_rebuild_ms: number | null;
}

const TARGETS = { speedup: 50, rssShare: 0.5, loadMs: 100, freshBuildMs: 150, warmBuildMs: 60 };

export function benchReport(
  setting: { source: GamesSource; tables: SplitTables; prepared: PreparedEnsemble; runs: number; latency: BenchState["latency"]; loadStart: number[] },
  results: BenchRun[],
  totalMs: number,
  compared: ComparedRun[] = [],
  withHistory: HistoryRun[] = [],
  historyReadMs: { own: number[]; shared: number[] } = { own: [], shared: [] },
) {
  const { source, tables, prepared } = setting;
  const fast = results.filter((r) => r.mode === "fast");
  const slow = results.filter((r) => r.mode === "slow");
  const reference = fast[0].holdout.probabilities;
  const comparisons = results.map((r) => ({ label: r.label, ...compareProbabilities(reference, r.holdout.probabilities) }));
  // Wall time of the loads (they run at once); a checkout from before that records only each model's own time.
  const baseLoadsMs = (r: BenchRun) => r.base_ms ?? r.base.reduce((sum, b) => sum + b.obtain_ms, 0);
  const fastBuild = spread(fast.map((r) => r.build_ms));
  const slowBuild = spread(slow.map((r) => r.build_ms));
  const warmBuild = spread(fast.map((r) => r.warm_rebuild_ms ?? Number.NaN));
  const steadyBuild = spread(fast.map((r) => r.steady_rebuild_ms ?? Number.NaN));
  // A checkout from before the warm-up records none.
  const warmUp = spread(fast.map((r) => r.warm_up_ms ?? Number.NaN));
  const fastRss = spread(fast.map((r) => r.rss_mb.end));
  const slowRss = spread(slow.map((r) => r.rss_mb.end));
  const perBase = prepared.models.map((m, j) => ({
    name: m.spec.name,
    algorithm: m.spec.algorithm,
    features: m.spec.features.length,
    bytes: fast[fast.length - 1].base[j].bytes,
    model_bytes: fast[fast.length - 1].base[j].model_bytes,
    load_ms: spread(fast.map((r) => r.base[j].load_ms)),
    reload_ms: spread(fast.map((r) => r.base[j].reload_ms ?? Number.NaN)),
    obtain_ms_fast: spread(fast.map((r) => r.base[j].obtain_ms)),
    retrain_ms: spread(slow.map((r) => r.base[j].obtain_ms)),
  }));
  const latency = Object.fromEntries(
    (Object.keys(LATENCY_LABELS) as LatencyKind[]).map((k) => {
      const samples = fast.map((r) => r.latency![k]);
      return [k, { rows: samples[0].rows, iterations: samples[0].iterations, p50_ms: spread(samples.map((s) => s.p50_ms)), p99_ms: spread(samples.map((s) => s.p99_ms)) }];
    }),
  ) as Record<LatencyKind, { rows: number; iterations: number; p50_ms: Spread; p99_ms: Spread }>;
  const againstOthers = [...new Set(compared.map((c) => c.checkout))].map((checkout) => {
    const theirs = compared.filter((c) => c.checkout === checkout);
    // Per round: their time over ours, so above 1 means this checkout is faster.
    const ratio = (pick: (r: { build_ms: number; warm_rebuild_ms: number | null }) => number | null) =>
      spread(theirs.map((t) => (pick(t) ?? Number.NaN) / (pick(fast.find((f) => f.iteration === t.iteration)!) ?? Number.NaN)));
    return {
      checkout,
      build_ms: spread(theirs.map((t) => t.build_ms)),
      warm_rebuild_ms: spread(theirs.map((t) => t.warm_rebuild_ms ?? Number.NaN)),
      ratio_build: ratio((r) => r.build_ms),
      ratio_warm_rebuild: ratio((r) => r.warm_rebuild_ms),
      identical_predictions: theirs.every((t) => compareProbabilities(reference, t.probabilities).identical),
    };
  });
  const ownWithHistory = withHistory.filter((h) => h.checkout === null);
  const historyRows = withHistory.length === 0 ? [] : [null, ...new Set(withHistory.flatMap((h) => (h.checkout === null ? [] : [h.checkout])))].map((checkout) => {
    const theirs = withHistory.filter((h) => h.checkout === checkout);
    const ratio = (pick: (r: HistoryRun) => number | null) =>
      spread(theirs.map((t) => (pick(t) ?? Number.NaN) / (pick(ownWithHistory.find((o) => o.iteration === t.iteration)!) ?? Number.NaN)));
    return {
      checkout,
      build_ms: spread(theirs.map((t) => t.build_ms)),
      warm_rebuild_ms: spread(theirs.map((t) => t.warm_rebuild_ms ?? Number.NaN)),
      ratio_build: checkout === null ? null : ratio((r) => r.build_ms),
      ratio_warm_rebuild: checkout === null ? null : ratio((r) => r.warm_rebuild_ms),
    };
  });
  const worstLoad = Math.max(...perBase.map((b) => b.load_ms.max));
  const speedup = slowBuild.median / fastBuild.median;
  const rssShare = fastRss.median / slowRss.median;

  return {
    generated_at: new Date().toISOString(),
    machine: { node: process.version, cpus: os.cpus().length, platform: `${os.platform()} ${os.release()}`, loadavg_start: setting.loadStart, loadavg_end: os.loadavg() },
    data: {
      source: source.kind,
      description: source.description,
      base: { seasons: SPANS.base, rows: tables.base.length },
      meta: { seasons: SPANS.meta, rows: tables.meta.length, holdout_rows: fast[0].holdout.rows },
    },
    setting: {
      base_models: prepared.models.map((m) => ({ name: m.spec.name, algorithm: m.spec.algorithm, features: m.spec.features, hyperparameters: m.spec.hyperparameters })),
      meta_model: "logistic_regression",
      runs_per_mode: setting.runs,
      latency: setting.latency,
    },
    initial_training_ms: prepared.models.map((m) => ({ name: m.spec.name, ms: m.training_ms })),
    runs: results.map((r) => ({
      label: r.label,
      mode: r.mode,
      iteration: r.iteration,
      build_ms: r.build_ms,
      warm_up_ms: r.warm_up_ms,
      warm_rebuild_ms: r.warm_rebuild_ms,
      steady_rebuild_ms: r.steady_rebuild_ms,
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
      build_ms: { fast: fastBuild, slow: slowBuild, fast_warm_rebuild: warmBuild, fast_steady_rebuild: steadyBuild },
      /** The warm-up each process ran before its first build, as a worker does as it starts (lib/ensemble/warm-up.ts); not part of build_ms. */
      warm_up_ms: warmUp,
      /** Where the fast build's time goes: artifact loads, the meta-model step, and the rest (database updates, saving the ensemble). */
      fast_breakdown_ms: {
        base_loads: spread(fast.map(baseLoadsMs)),
        meta_step: spread(fast.map((r) => r.meta_ms)),
        rest: spread(fast.map((r) => r.build_ms - r.meta_ms - baseLoadsMs(r))),
      },
      process_ms: { fast: spread(fast.map((r) => r.process_ms)), slow: spread(slow.map((r) => r.process_ms)) },
      speedup: { of_medians: speedup, per_pair: spread(fast.map((f, k) => slow[k].build_ms / f.build_ms)) },
      rss_mb: {
        fast: fastRss,
        slow: slowRss,
        fast_after_build: spread(fast.map((r) => r.rss_mb.after_build)),
        slow_after_build: spread(slow.map((r) => r.rss_mb.after_build)),
        baseline: spread(results.map((r) => r.rss_mb.start)),
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
      compared: againstOthers,
      /** Fast builds with a full run history (RUNS_KEPT runs), each checkout keeping it its own way; ratio = theirs / this checkout's, per round. */
      with_history: historyRows,
      /** This checkout reading the ensemble with its full history (getEnsemble, caches emptied), neighbours beside it. */
      history_read_ms: historyReadMs.own.length > 0 ? spread(historyReadMs.own) : null,
      /** The same runs in one collection for every ensemble, read by _id ten at a time as the version before own collections did. */
      shared_history_read_ms: historyReadMs.shared.length > 0 ? spread(historyReadMs.shared) : null,
    },
    targets: [
      { name: `fast path at least ${TARGETS.speedup}x faster than slow`, measured: `${speedup.toFixed(0)}x`, met: speedup >= TARGETS.speedup },
      {
        name: "fast-path peak RSS at most half the slow path's",
        measured: `${(rssShare * 100).toFixed(0)}% (${fastRss.median.toFixed(0)} / ${slowRss.median.toFixed(0)} MB)`,
        met: rssShare <= TARGETS.rssShare,
      },
      { name: `each base model's artifact load under ${TARGETS.loadMs} ms`, measured: `worst ${worstLoad.toFixed(1)} ms`, met: worstLoad < TARGETS.loadMs },
      {
        name: `fast build in a fresh process at most ${TARGETS.freshBuildMs} ms (median)`,
        measured: `${fastBuild.median.toFixed(0)} ms`,
        met: fastBuild.median <= TARGETS.freshBuildMs,
      },
      {
        name: `fast build in a warm process at most ${TARGETS.warmBuildMs} ms (median)`,
        measured: `${warmBuild.median.toFixed(0)} ms`,
        met: warmBuild.median <= TARGETS.warmBuildMs,
      },
      {
        name: `fast build in a worker that has built a few times at most ${TARGETS.warmBuildMs} ms (median)`,
        measured: `${steadyBuild.median.toFixed(0)} ms`,
        met: steadyBuild.median <= TARGETS.warmBuildMs,
      },
    ],
    total_ms: totalMs,
  };
}

const seconds = (v: number) => `${(v / 1000).toFixed(2)} s`;
const mb = (v: number) => `${v.toFixed(0)} MB`;
const times = (v: number) => `${v.toFixed(0)}x`;
const ratio = (v: number) => `${v.toFixed(2)}x`;

const LATENCY_LABELS: Record<LatencyKind, string> = {
  api_1: "predictWithEnsemble, 1 row",
  api_many: "predictWithEnsemble, many rows",
  memory_1: "loaded ensemble in memory, 1 row",
  memory_many: "loaded ensemble in memory, many rows",
  memory_many_halves: "loaded ensemble in memory, many rows in two halves at once",
};

export function renderBenchMarkdown(r: BenchReport): string {
  const s = r.summary;
  const loadavg = (values: number[]) => values.map((v) => v.toFixed(1)).join(" ");
  const games = (n: number) => n.toLocaleString("en-US");
  const blocks = [
    "# Ensemble build benchmark: artifacts vs retraining",
    `Generated ${r.generated_at} by \`npm run bench\` in ${(r.total_ms / 1000).toFixed(0)} s ` +
      `(Node ${r.machine.node}, ${r.machine.cpus} CPUs, load average ${loadavg(r.machine.loadavg_start)} at start, ` +
      `${loadavg(r.machine.loadavg_end)} at end). Medians with (min–max) over ${r.setting.runs_per_mode} runs per path; ` +
      "each run is a separate process, fast and slow interleaved.",
    "## Setting",
    `Data: ${r.data.source === "shared" ? "FiveThirtyEight's NBA history" : "generated games"} (${r.data.description}). ` +
      `Base models trained on seasons ${describeSpan(r.data.base.seasons)} (${games(r.data.base.rows)} games); ` +
      `logistic meta-model on seasons ${describeSpan(r.data.meta.seasons)} (${games(r.data.meta.rows)} games, ` +
      `${r.data.meta.holdout_rows} of them held out).`,
    markdownTable(
      ["base model", "algorithm", "features", "hyperparameters", "first training"],
      r.setting.base_models.map((m, i) => [
        m.name,
        m.algorithm,
        String(m.features.length),
        Object.entries(m.hyperparameters).map(([k, v]) => `${k}=${v}`).join(", ") || "defaults",
        seconds(r.initial_training_ms[i].ms),
      ]),
      ["left", "left", "right", "left", "right"],
    ),
    "## Build time and memory",
    markdownTable(
      ["", "fast (artifacts present)", "slow (all retrained)"],
      [
        ["worker's warm-up at start, before the build (not in the build's time)", withRange(s.warm_up_ms, seconds), withRange(s.warm_up_ms, seconds)],
        ["buildEnsemble wall time", withRange(s.build_ms.fast, seconds), withRange(s.build_ms.slow, seconds)],
        ["second build in the same warm process, loaded models dropped (fast only)", withRange(s.build_ms.fast_warm_rebuild, seconds), "—"],
        ["third to seventh build in that process, the same way: median of the five (fast only)", withRange(s.build_ms.fast_steady_rebuild, seconds), "—"],
        ["whole process (start-up, connect, build, checks, latency loops)", withRange(s.process_ms.fast, seconds), withRange(s.process_ms.slow, seconds)],
        ["peak RSS after connecting (baseline)", withRange(s.rss_mb.baseline, mb), withRange(s.rss_mb.baseline, mb)],
        ["peak RSS right after the build", withRange(s.rss_mb.fast_after_build, mb), withRange(s.rss_mb.slow_after_build, mb)],
        ["peak RSS at the end of the process", withRange(s.rss_mb.fast, mb), withRange(s.rss_mb.slow, mb)],
      ],
      ["left", "right", "right"],
    ),
    `Speed-up: **${times(s.speedup.of_medians)}** (median slow / median fast); per interleaved pair ${withRange(s.speedup.per_pair, times)}. ` +
      `Fast-path peak RSS is **${(s.rss_mb.fast_share_of_slow * 100).toFixed(0)}%** of the slow path's.`,
    `Where the fast build's time goes: loading the four base models (at once) ${withRange(s.fast_breakdown_ms.base_loads, ms)}, ` +
      `the meta-model step (the meta rows as numbers and each base model's probabilities on them, read from the node's cache, then the fit and the measures) ${withRange(s.fast_breakdown_ms.meta_step, ms)}, ` +
      `the rest (database reads and updates, reading the meta CSV to check its checksum, writing the ensemble's two artifacts) ${withRange(s.fast_breakdown_ms.rest, ms)}. ` +
      "Each fast run is the first build in a process spawned for it alone (scripts/bench-variant.ts). The build is timed from where a worker's first job starts: " +
      "connected, after mongoose has ensured the collections and indexes it starts creating on connecting, and after the warm-up, all of which scripts/worker.ts " +
      "does before it claims a job (earlier versions of this bench started the clock before the collections, and the build's first queries queued behind those " +
      "dozen commands). The warm-up runs a build's CPU steps once on a small synthetic table in memory (lib/ensemble/warm-up.ts), so the first build does not run " +
      "them in V8's interpreter; the comparison below also runs this checkout's fresh build without it, as a process that builds at once would. " +
      "The second build in a warm process drops the loaded models first, so it reads and verifies every artifact again; it keeps the meta CSV parsed, its rows as numbers " +
      "and each base model run's probabilities on them (by checksum, run_id and features): what a long-running worker sees when it rebuilds. What a build derives " +
      "from the meta CSV (its rows as numbers, the holdout columns, each base model run's probabilities) is also kept on the node's disk (CACHE_DIR), so each fresh " +
      "process finds what the processes before it derived, as a restarted worker or a second worker on the same node does. Each slow run retrains every base " +
      "model (new runs, which no process has scored yet), so every round first runs this checkout's fresh build with that cache emptied (in the comparison below: " +
      "a node's first build over these base model runs, which fills it) and then the fast run these figures are of. The bench empties the " +
      "run history before every process (versions before ensemble_runs kept it inside the ensemble's document, where it slowed every build down as it grew); " +
      "the section after the comparison runs the same builds with a full history.",
    ...(s.compared.length === 0
      ? []
      : [
          "## Against other checkouts, in the same run",
          "Each round also ran the fast build of another checkout (`--compare`, and this checkout with nothing kept on disk yet, and without its warm-up) in a fresh process of its own, on the same database, artifacts " +
            "and meta CSV; which checkout goes first alternates from round to round. Ratio = their time / this checkout's in the same round (above 1: this one is faster). " +
            "Each checkout times its build the way its own scripts/bench-variant.ts does.",
          markdownTable(
            ["checkout", "fresh build", "ratio", "warm rebuild", "ratio", "predictions identical to this checkout's"],
            s.compared.map((c) => [c.checkout, withRange(c.build_ms, ms), withRange(c.ratio_build, ratio), withRange(c.warm_rebuild_ms, ms), withRange(c.ratio_warm_rebuild, ratio), c.identical_predictions ? "yes" : "no"]),
            ["left", "right", "right", "right", "right", "left"],
          ),
        ]),
    ...(s.with_history.length === 0
      ? []
      : [
          "## With a full run history",
          `The same fast builds, ${s.with_history[0].build_ms.n} rounds, after the ensemble was given the history it reaches once rebuilt 100 times: 100 runs, each ` +
            "checkout keeping them its own way (this one in the ensemble's own runs collection, a document per run; versions from before own collections in one ensemble_runs " +
            "collection for every ensemble; versions from before ensemble_runs inside the ensemble's document, which the embedded database decodes and rewrites whole on " +
            "every read and write of the ensemble). Nine other ensembles with the same history, kept the same way, are in the database meanwhile, as in a team's. Ratio = " +
            "their time / this checkout's in the same round." +
            (s.history_read_ms
              ? ` Reading the ensemble with its 100 runs in this checkout (\`getEnsemble\`, what its page and \`GET /api/ensembles/:id\` call, caches emptied first): ` +
                `${withRange(s.history_read_ms, ms)} over ${s.history_read_ms.n} reads` +
                (s.shared_history_read_ms
                  ? `; the same runs in one collection for every ensemble, read by \`_id\` ten at a time as versions before own collections read them: ` +
                    `${withRange(s.shared_history_read_ms, ms)} over ${s.shared_history_read_ms.n} reads.`
                  : ".")
              : ""),
          markdownTable(
            ["checkout", "fresh build", "ratio", "warm rebuild", "ratio"],
            s.with_history.map((h) => [h.checkout ?? "this checkout", withRange(h.build_ms, ms), h.ratio_build ? withRange(h.ratio_build, ratio) : "—", withRange(h.warm_rebuild_ms, ms), h.ratio_warm_rebuild ? withRange(h.ratio_warm_rebuild, ratio) : "—"]),
            ["left", "right", "right", "right", "right"],
          ),
        ]),
    "## Same predictions both ways",
    `Every run predicted the ${s.predictions.rows} meta holdout rows through \`predictWithEnsemble\` (the saved ensemble). ` +
      (s.predictions.identical_across_all_runs
        ? "All runs, fast and slow, gave **bit-identical** probabilities: retraining with the same seed reproduces the same models."
        : `The runs **differ**: largest absolute difference ${s.predictions.worst_max_abs_diff.toExponential(2)}.`) +
      ` The reloaded ensemble ${s.predictions.reloaded_equal_in_build ? "matched" : "did NOT match"} the probabilities the build computed in memory.`,
    markdownTable(
      ["run", "rows", "identical to fast 1", "mismatches", "max abs diff"],
      s.predictions.per_run.map((c) => [c.label, String(c.n), c.identical ? "yes" : "no", String(c.mismatches), c.max_abs_diff === 0 ? "0" : c.max_abs_diff.toExponential(2)]),
      ["left", "right", "left", "right", "right"],
    ),
    "## Per base model",
    "Load = read, checksum, parse and rebuild of the model, scaler and features artifacts, the first time in a fresh process; " +
      "reload = the same after clearing the in-memory cache; in build = as recorded by the build (adds the config lookup); retrain = the slow path's retrain, save and load.",
    markdownTable(
      ["base model", "artifact bytes (model file)", "load", "reload", "in build (fast)", "retrain (slow)"],
      s.per_base.map((b) => [
        b.name,
        `${bytes(b.bytes)} (${b.model_bytes === null ? "n/a" : bytes(b.model_bytes)})`,
        withRange(b.load_ms, ms),
        withRange(b.reload_ms, ms),
        withRange(b.obtain_ms_fast, ms),
        withRange(b.retrain_ms, ms),
      ]),
      ["left", "right", "right", "right", "right", "right"],
    ),
    "## Warm predict latency (fast-path processes)",
    `After ${r.setting.latency.oneRow.warmup} (1 row) and ${r.setting.latency.manyRows.warmup} (${r.setting.latency.manyRows.rows} rows) warm-up calls. ` +
      "`predictWithEnsemble` is what the API route calls: it looks the ensemble and its base models up in the database, validates the rows, then predicts from the cached artifacts. " +
      "\"In memory\" is the loaded ensemble's own predictProba, without the lookups; \"in two halves at once\" scores the same rows half on this thread and half on the scoring thread, as serving does with a large batch (lib/ml/scoring-thread.ts). p50 and p99 per process, then median (min–max) across processes.",
    markdownTable(
      ["call", "rows", "iterations", "p50", "p99"],
      (Object.keys(LATENCY_LABELS) as LatencyKind[]).map((k) => {
        const l = s.latency[k];
        return [LATENCY_LABELS[k].replace("many rows", `${l.rows} rows`), String(l.rows), String(l.iterations), withRange(l.p50_ms, ms), withRange(l.p99_ms, ms)];
      }),
      ["left", "right", "right", "right", "right"],
    ),
    "## Targets (reported, not asserted)",
    markdownTable(
      ["target", "measured", "met"],
      r.targets.map((t) => [t.name, t.measured, t.met ? "yes" : "no"]),
    ),
    "## Runs",
    markdownTable(
      ["run", "build", "warm rebuild", "process", "peak RSS", "meta-model step", "ensemble holdout log loss"],
      r.runs.map((run) => [
        run.label,
        seconds(run.build_ms),
        run.warm_rebuild_ms === null ? "—" : seconds(run.warm_rebuild_ms),
        seconds(run.process_ms),
        mb(run.rss_mb.end),
        ms(run.meta_ms),
        fixed(run.metrics.log_loss, 5),
      ]),
      ["left", "right", "right", "right", "right", "right", "right"],
    ),
  ];
  return blocks.join("\n\n") + "\n";
}
