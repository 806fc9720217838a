/**
 * npm run nba:evaluate: how the stacking ensemble forecasts real NBA games,
 * next to its base models and FiveThirtyEight's published Elo forecast.
 *
 * Needs the shared history file (../shared/data/nba_games_1947_2016.csv, or
 * NBA_GAMES_CSV). Base models are trained on seasons up to 2010, the
 * meta-model on 2011–2013, and every forecast is scored on the same 2014–2016
 * games. Everything goes through the product's own path: datasets saved with
 * saveDataset, models created and trained with createModelConfig + trainModel,
 * the ensemble with createEnsemble + buildEnsemble, test predictions with
 * predictWithModel / predictWithEnsemble from the saved artifacts. Writes
 * bench/evaluation.json and bench/evaluation.md. Uses a throwaway database,
 * artifact and data folder, like npm run bench.
 *
 * `-- --full-data-forests` gives the forests random_forest's defaults (100
 * trees, every row per tree) instead of the fixed bench settings and writes
 * bench/evaluation-full-forests.{json,md}.
 */
import "./bench-quiet-logs";
import os from "node:os";
import { saveDataset } from "@/lib/datasets";
import { buildEnsemble } from "@/lib/ensemble/build";
import { loadEnsemble, predictWithEnsemble } from "@/lib/ensemble/load";
import { findEnsemble } from "@/lib/ensemble/service";
import { brierPerItem, describeSpan, fixed, logLossPerItem, markdownTable, pairedDifference, type PairedDifference } from "@/lib/evaluation";
import { evaluate } from "@/lib/ml/metrics";
import { toCsv, type FeatureRow } from "@/lib/nba/features";
import { findSharedGamesCsv } from "@/lib/nba/games";
import { predictWithModel } from "@/lib/training/service";
import { openThrowawayEnv, progressLog, runScript, writeReport } from "./bench-env";
import { BASE_MODELS, ENSEMBLE_FEATURES, loadGames, prepareEnsemble, SPANS, splitFeatureTable, withDefaultForests, type GamesSource, type SplitTables } from "./bench-setting";

/** The API accepts at most 10,000 rows per prediction request. */
const CHUNK = 5000;
const ELO = "FiveThirtyEight Elo (elo_prob1)";
const ENSEMBLE = "Stacking ensemble";

const say = progressLog("evaluate");
const FULL_DATA_FORESTS = process.argv.includes("--full-data-forests");
const REPORT = FULL_DATA_FORESTS ? "evaluation-full-forests" : "evaluation";

type Rows = Array<Record<string, number>>;

/** Probabilities for the games from one of the product's predict calls, CHUNK rows per call. */
async function predictGames(games: FeatureRow[], features: readonly string[], predict: (input: { rows: Rows }) => Promise<{ probabilities: number[] }>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < games.length; i += CHUNK) {
    const rows = games.slice(i, i + CHUNK).map((r) => Object.fromEntries(features.map((f) => [f, (r as unknown as Record<string, number>)[f]])));
    out.push(...(await predict({ rows })).probabilities);
  }
  return out;
}

function compareSlice(slice: string, idx: number[], y: number[], ens: number[], elo: number[]) {
  const ys = idx.map((i) => y[i]);
  const pe = idx.map((i) => ens[i]);
  const po = idx.map((i) => elo[i]);
  return {
    slice,
    games: idx.length,
    ensemble: evaluate(ys, pe),
    elo: evaluate(ys, po),
    /** Ensemble minus Elo, per game, averaged; negative = the ensemble is better. */
    log_loss_diff: pairedDifference(logLossPerItem(ys, pe), logLossPerItem(ys, po)),
    brier_diff: pairedDifference(brierPerItem(ys, pe), brierPerItem(ys, po)),
  };
}

const diff = (d: PairedDifference, digits: number) => `${d.mean >= 0 ? "+" : ""}${d.mean.toFixed(digits)} ± ${d.standard_error.toFixed(digits)}`;

type Report = Awaited<ReturnType<typeof evaluateForecasts>>;

async function evaluateForecasts(source: GamesSource, tables: SplitTables) {
  const prepared = await prepareEnsemble("nba-eval", tables, say, FULL_DATA_FORESTS ? withDefaultForests(BASE_MODELS) : BASE_MODELS);
  const testDataset = await saveDataset({ name: "nba-eval-test", text: toCsv({ columns: tables.columns, rows: tables.test }) });
  say(`test dataset saved: ${testDataset.path} (${testDataset.rows} rows)`);

  say("building the ensemble from the saved base models");
  const build = await buildEnsemble(prepared.ensembleId);
  say(`built in ${(build.total_ms / 1000).toFixed(2)} s (sources: ${build.base.map((b) => b.source).join(", ")})`);

  const y = tables.test.map((r) => r.home_win as number);
  const forecasts = [];
  for (const m of prepared.models) {
    say(`scoring ${tables.test.length} test games with ${m.spec.name}`);
    forecasts.push({ name: m.spec.name, kind: "base", probabilities: await predictGames(tables.test, m.spec.features, (input) => predictWithModel(m.id, input)) });
  }
  say("scoring the test games with the ensemble");
  const ens = await predictGames(tables.test, ENSEMBLE_FEATURES, (input) => predictWithEnsemble(prepared.ensembleId, input));
  const elo = tables.test.map((r) => r.elo_prob1);
  forecasts.push({ name: ENSEMBLE, kind: "ensemble", probabilities: ens }, { name: ELO, kind: "published", probabilities: elo });

  const all = y.map((_, i) => i);
  const slices = [compareSlice(`all ${describeSpan(SPANS.test)}`, all, y, ens, elo)];
  for (const season of [...new Set(tables.test.map((r) => r.season))].sort()) {
    slices.push(compareSlice(`season ${season}`, all.filter((i) => tables.test[i].season === season), y, ens, elo));
  }
  slices.push(compareSlice("regular season", all.filter((i) => tables.test[i].playoff === 0), y, ens, elo));
  slices.push(compareSlice("playoffs", all.filter((i) => tables.test[i].playoff === 1), y, ens, elo));

  const loaded = await loadEnsemble(await findEnsemble(prepared.ensembleId));
  const metaState = loaded.stack.meta.toJSON().state as { coef?: number[]; intercept?: number };

  return {
    generated_at: new Date().toISOString(),
    machine: { node: process.version, cpus: os.cpus().length },
    data: {
      file: source.description,
      credit: "FiveThirtyEight NBA Elo data (CC BY 4.0), game information from Basketball-Reference",
      base: { seasons: SPANS.base, games: tables.base.length },
      meta: { seasons: SPANS.meta, games: tables.meta.length },
      test: { seasons: SPANS.test, games: tables.test.length, home_win_rate: y.reduce((a, b) => a + b, 0) / y.length },
    },
    base_models: prepared.models.map((m) => ({
      name: m.spec.name,
      algorithm: m.spec.algorithm,
      features: m.spec.features,
      hyperparameters: m.spec.hyperparameters,
      training_ms: m.training_ms,
    })),
    ensemble: {
      meta_model: "logistic_regression",
      meta_weights: prepared.models.map((m, j) => ({ base_model: m.spec.name, coefficient: metaState.coef?.[j] ?? Number.NaN })),
      meta_intercept: metaState.intercept ?? null,
      build_ms: build.total_ms,
      meta_holdout_metrics: build.metrics,
    },
    test_metrics: forecasts.map((f) => ({ name: f.name, kind: f.kind, ...evaluate(y, f.probabilities) })),
    ensemble_vs_elo: slices,
    total_ms: say.ms(),
  };
}

async function main(): Promise<number> {
  say("reading games");
  if (!findSharedGamesCsv()) {
    console.error(
      "[evaluate] The shared NBA games file is missing: expected ../shared/data/nba_games_1947_2016.csv next to the project, or a path in NBA_GAMES_CSV. " +
        "This evaluation needs the real games; nothing was run.",
    );
    return 1;
  }
  const source = loadGames();
  const tables = splitFeatureTable(source.games);
  say(
    `${source.games.length} games -> base ${describeSpan(SPANS.base)}: ${tables.base.length}, meta ${describeSpan(SPANS.meta)}: ${tables.meta.length}, ` +
      `test ${describeSpan(SPANS.test)}: ${tables.test.length}`,
  );

  const env = await openThrowawayEnv("evaluate", say);
  try {
    const report = await evaluateForecasts(source, tables);
    writeReport(REPORT, report, renderMarkdown(report));
    for (const m of report.test_metrics) say(`${m.name.padEnd(34)} accuracy ${fixed(m.accuracy, 4)}  log loss ${fixed(m.log_loss, 4)}  Brier ${fixed(m.brier, 4)}`);
    say(`wrote bench/${REPORT}.json and bench/${REPORT}.md in ${(report.total_ms / 1000).toFixed(0)} s`);
    return 0;
  } finally {
    await env.close();
  }
}

function renderMarkdown(r: Report): string {
  const games = (n: number) => n.toLocaleString("en-US");
  const blocks = [
    "# NBA forecast evaluation: ensemble vs FiveThirtyEight's Elo",
    `Generated ${r.generated_at} by \`npm run nba:evaluate${FULL_DATA_FORESTS ? " -- --full-data-forests" : ""}\` in ${(r.total_ms / 1000).toFixed(0)} s. ` +
      `Data: ${r.data.credit}. Base models trained on seasons ${describeSpan(SPANS.base)} (${games(r.data.base.games)} games), ` +
      `the logistic meta-model on ${describeSpan(SPANS.meta)} (${games(r.data.meta.games)} games; the build holds out a quarter of them to measure itself), ` +
      `every forecast scored on the same ${games(r.data.test.games)} games of ${describeSpan(SPANS.test)} ` +
      `(home team won ${(r.data.test.home_win_rate * 100).toFixed(1)}%). Lower log loss and Brier score are better.`,
    markdownTable(
      ["forecast", "accuracy", "log loss", "Brier", "AUC", "games"],
      r.test_metrics.map((m) => [
        m.kind === "ensemble" ? `**${m.name}**` : m.name,
        fixed(m.accuracy, 4),
        fixed(m.log_loss, 4),
        fixed(m.brier, 4),
        fixed(m.auc, 4),
        String(m.n),
      ]),
      ["left", "right", "right", "right", "right", "right"],
    ),
    "## Ensemble minus Elo, game by game",
    "Mean per-game difference (ensemble − Elo) ± its standard error; negative means the ensemble forecast better. " +
      "A difference within about two standard errors of zero is not one these games can vouch for.",
    markdownTable(
      ["games", "n", "log loss ensemble / Elo", "Δ log loss", "Brier ensemble / Elo", "Δ Brier", "accuracy ensemble / Elo"],
      r.ensemble_vs_elo.map((s) => [
        s.slice,
        String(s.games),
        `${fixed(s.ensemble.log_loss, 4)} / ${fixed(s.elo.log_loss, 4)}`,
        diff(s.log_loss_diff, 4),
        `${fixed(s.ensemble.brier, 4)} / ${fixed(s.elo.brier, 4)}`,
        diff(s.brier_diff, 4),
        `${fixed(s.ensemble.accuracy, 4)} / ${fixed(s.elo.accuracy, 4)}`,
      ]),
      ["left", "right", "right", "right", "right", "right", "right"],
    ),
    "## The models",
    markdownTable(
      ["base model", "algorithm", "features", "settings", "training", "meta-model weight"],
      r.base_models.map((m, j) => [
        m.name,
        m.algorithm,
        m.features.join(", "),
        Object.entries(m.hyperparameters).map(([k, v]) => `${k} ${v}`).join(", ") || "defaults",
        `${(m.training_ms / 1000).toFixed(1)} s`,
        fixed(r.ensemble.meta_weights[j]?.coefficient, 3),
      ]),
      ["left", "left", "left", "left", "right", "right"],
    ),
    `Meta-model: logistic regression on the four base probabilities (intercept ${fixed(r.ensemble.meta_intercept, 3)}); ` +
      `the ensemble built from the saved base models in ${(r.ensemble.build_ms / 1000).toFixed(2)} s.`,
  ];
  return blocks.join("\n\n") + "\n";
}

runScript("evaluate", main);
