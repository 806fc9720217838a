/** The benchmark's report: its JSON shape and its Markdown rendering. */
import { bytes, describeSpan, fixed, markdownTable, ms, withRange, type SeasonSpan, type Spread } from "@/lib/evaluation";
import type { BenchState, VariantResult } from "./bench-variant";

type LatencyKind = "api_1" | "api_many" | "memory_1" | "memory_many";

export interface BenchReport {
  generated_at: string;
  machine: { node: string; cpus: number; platform: string; loadavg_start: number[]; loadavg_end: number[] };
  data: {
    source: "shared" | "generated";
    description: string;
    base: { seasons: SeasonSpan; rows: number };
    meta: { seasons: SeasonSpan; rows: number; holdout_rows: number };
  };
  setting: {
    base_models: Array<{ name: string; algorithm: string; features: string[]; hyperparameters: Record<string, number> }>;
    meta_model: string;
    runs_per_mode: number;
    latency: BenchState["latency"];
  };
  initial_training_ms: Array<{ name: string; ms: number }>;
  runs: Array<
    Pick<VariantResult, "label" | "mode" | "build_ms" | "warm_rebuild_ms" | "meta_ms" | "rss_mb" | "base" | "metrics" | "latency"> & {
      iteration: number;
      process_ms: number;
      holdout_fingerprint: string;
      holdout_matches_build_check: boolean;
    }
  >;
  summary: {
    build_ms: { fast: Spread; slow: Spread; fast_warm_rebuild: Spread };
    /** Where the fast build's time goes: artifact loads, the meta-model step, and the rest (database updates, saving the ensemble). */
    fast_breakdown_ms: { base_loads: Spread; meta_step: Spread; rest: Spread };
    process_ms: { fast: Spread; slow: Spread };
    speedup: { of_medians: number; per_pair: Spread };
    rss_mb: { fast: Spread; slow: Spread; fast_after_build: Spread; slow_after_build: Spread; baseline: Spread; fast_share_of_slow: number };
    predictions: {
      rows: number;
      identical_across_all_runs: boolean;
      worst_max_abs_diff: number;
      per_run: Array<{ label: string; n: number; identical: boolean; mismatches: number; max_abs_diff: number }>;
      reloaded_equal_in_build: boolean;
    };
    per_base: Array<{
      name: string;
      algorithm: string;
      features: number;
      bytes: number;
      model_bytes: number | null;
      load_ms: Spread;
      reload_ms: Spread;
      obtain_ms_fast: Spread;
      retrain_ms: Spread;
    }>;
    latency: Record<LatencyKind, { rows: number; iterations: number; p50_ms: Spread; p99_ms: Spread }>;
  };
  targets: Array<{ name: string; measured: string; met: boolean }>;
  total_ms: number;
}

const seconds = (v: number) => `${(v / 1000).toFixed(2)} s`;
const mb = (v: number) => `${v.toFixed(0)} MB`;
const times = (v: number) => `${v.toFixed(0)}x`;

const LATENCY_LABELS: Record<LatencyKind, string> = {
  api_1: "predictWithEnsemble, 1 row",
  api_many: "predictWithEnsemble, many rows",
  memory_1: "loaded ensemble in memory, 1 row",
  memory_many: "loaded ensemble in memory, many rows",
};

export function renderBenchMarkdown(r: BenchReport): string {
  const s = r.summary;
  const out: string[] = [];
  out.push("# Ensemble build benchmark: artifacts vs retraining", "");
  out.push(
    `Generated ${r.generated_at} by \`npm run bench\` in ${(r.total_ms / 1000).toFixed(0)} s ` +
      `(Node ${r.machine.node}, ${r.machine.cpus} CPUs, load average ${r.machine.loadavg_start.map((v) => v.toFixed(1)).join(" ")} at start, ` +
      `${r.machine.loadavg_end.map((v) => v.toFixed(1)).join(" ")} at end). Medians with (min–max) over ${r.setting.runs_per_mode} runs per path; ` +
      "each run is a separate process, fast and slow interleaved.",
    "",
  );
  out.push("## Setting", "");
  out.push(
    `Data: ${r.data.source === "shared" ? "FiveThirtyEight's NBA history" : "generated games"} (${r.data.description}). ` +
      `Base models trained on seasons ${describeSpan(r.data.base.seasons)} (${r.data.base.rows.toLocaleString("en-US")} games); ` +
      `logistic meta-model on seasons ${describeSpan(r.data.meta.seasons)} (${r.data.meta.rows.toLocaleString("en-US")} games, ` +
      `${r.data.meta.holdout_rows} of them held out).`,
    "",
  );
  out.push(
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
    "",
  );
  out.push("## Build time and memory", "");
  out.push(
    markdownTable(
      ["", "fast (artifacts present)", "slow (all retrained)"],
      [
        ["buildEnsemble wall time", withRange(s.build_ms.fast, seconds), withRange(s.build_ms.slow, seconds)],
        ["second build in the same warm process (fast only)", withRange(s.build_ms.fast_warm_rebuild, seconds), "—"],
        ["whole process (start-up, connect, build, checks, latency loops)", withRange(s.process_ms.fast, seconds), withRange(s.process_ms.slow, seconds)],
        ["peak RSS after connecting (baseline)", withRange(s.rss_mb.baseline, mb), withRange(s.rss_mb.baseline, mb)],
        ["peak RSS right after the build", withRange(s.rss_mb.fast_after_build, mb), withRange(s.rss_mb.slow_after_build, mb)],
        ["peak RSS at the end of the process", withRange(s.rss_mb.fast, mb), withRange(s.rss_mb.slow, mb)],
      ],
      ["left", "right", "right"],
    ),
    "",
  );
  out.push(
    `Speed-up: **${times(s.speedup.of_medians)}** (median slow / median fast); per interleaved pair ${withRange(s.speedup.per_pair, times)}. ` +
      `Fast-path peak RSS is **${(s.rss_mb.fast_share_of_slow * 100).toFixed(0)}%** of the slow path's.`,
    "",
    `Where the fast build's time goes: loading the four base models ${withRange(s.fast_breakdown_ms.base_loads, ms)}, ` +
      `the meta-model step (read and parse the meta CSV, score it with each base model, fit, measure) ${withRange(s.fast_breakdown_ms.meta_step, ms)}, ` +
      `the rest (database reads and updates, writing the ensemble's two artifacts) ${withRange(s.fast_breakdown_ms.rest, ms)}. ` +
      "Each fast run is the first build in a fresh process, so it also pays for compiling the code it runs; the slow run's meta-model step " +
      "runs on code the retraining already warmed, and the second build in a warm process shows what a long-running worker would see.",
    "",
  );
  out.push("## Same predictions both ways", "");
  out.push(
    `Every run predicted the ${s.predictions.rows} meta holdout rows through \`predictWithEnsemble\` (the saved ensemble). ` +
      (s.predictions.identical_across_all_runs
        ? "All runs, fast and slow, gave **bit-identical** probabilities: retraining with the same seed reproduces the same models."
        : `The runs **differ**: largest absolute difference ${s.predictions.worst_max_abs_diff.toExponential(2)}.`) +
      ` The reloaded ensemble ${s.predictions.reloaded_equal_in_build ? "matched" : "did NOT match"} the probabilities the build computed in memory.`,
    "",
  );
  out.push(
    markdownTable(
      ["run", "rows", "identical to fast 1", "mismatches", "max abs diff"],
      s.predictions.per_run.map((c) => [c.label, String(c.n), c.identical ? "yes" : "no", String(c.mismatches), c.max_abs_diff === 0 ? "0" : c.max_abs_diff.toExponential(2)]),
      ["left", "right", "left", "right", "right"],
    ),
    "",
  );
  out.push("## Per base model", "");
  out.push(
    "Load = read, checksum, parse and rebuild of the model, scaler and features artifacts, the first time in a fresh process; " +
      "reload = the same after clearing the in-memory cache; in build = as recorded by the build (adds the config lookup); retrain = the slow path's retrain, save and load.",
    "",
  );
  out.push(
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
    "",
  );
  out.push("## Warm predict latency (fast-path processes)", "");
  out.push(
    `After ${r.setting.latency.oneRow.warmup} (1 row) and ${r.setting.latency.manyRows.warmup} (${r.setting.latency.manyRows.rows} rows) warm-up calls. ` +
      "`predictWithEnsemble` is what the API route calls: it looks the ensemble and its base models up in the database, validates the rows, then predicts from the cached artifacts. " +
      "\"In memory\" is the loaded ensemble's own predictProba, without the lookups. p50 and p99 per process, then median (min–max) across processes.",
    "",
  );
  out.push(
    markdownTable(
      ["call", "rows", "iterations", "p50", "p99"],
      (Object.keys(LATENCY_LABELS) as LatencyKind[]).map((k) => {
        const l = s.latency[k];
        return [LATENCY_LABELS[k].replace("many rows", `${l.rows} rows`), String(l.rows), String(l.iterations), withRange(l.p50_ms, ms), withRange(l.p99_ms, ms)];
      }),
      ["left", "right", "right", "right", "right"],
    ),
    "",
  );
  out.push("## Targets (reported, not asserted)", "");
  out.push(
    markdownTable(
      ["target", "measured", "met"],
      r.targets.map((t) => [t.name, t.measured, t.met ? "yes" : "no"]),
    ),
    "",
  );
  out.push("## Runs", "");
  out.push(
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
    "",
  );
  return out.join("\n");
}

