import mongoose from "mongoose";
import { z } from "zod";
import { findByIds } from "@/lib/db";
import { ValidationError, fieldErrorsFromZod, parseInput, type FieldErrors } from "@/lib/errors";
import { loadEnsemble } from "@/lib/ensemble/load";
import { findEnsemble, type EnsembleLean } from "@/lib/ensemble/service";
import { columnSource } from "@/lib/ml/matrix";
import type { ModelPipeline } from "@/lib/ml/pipeline";
import { StackedEnsemble } from "@/lib/ml/stacking";
import { FIVETHIRTYEIGHT_FEATURES, FORECAST_FEATURES, NBA_TARGET_COLUMN, type GameQuery, type QueryFeatureRow } from "@/lib/nba/features";
import { isCalendarDate } from "@/lib/nba/games";
import { ModelConfig } from "@/models/ModelConfig";
import { gamesDataset, type GamesDataset } from "./datasets";
import { forecastFeatureRows } from "./games-thread";

/**
 * Who wins this game on this date, and how sure are we: an ensemble's answer
 * for requested games, from features the product computes out of a games
 * dataset's results before each game's date (never on or after it).
 */

export const MAX_FORECAST_GAMES = 500;

/** 0/1 or true/false, as JSON callers and forms send them. */
const flag = z.union([z.literal(0), z.literal(1), z.boolean()], { error: "must be 0 or 1" }).transform((v): 0 | 1 => (v === true || v === 1 ? 1 : 0));

const team = (which: string) =>
  z
    .string({ error: `give ${which}` })
    .trim()
    .min(1, `give ${which}`)
    .max(40, "is longer than 40 characters");

export const GameInput = z
  .object({
    date: z.string({ error: "give the date as YYYY-MM-DD" }).trim().refine(isCalendarDate, "is not a YYYY-MM-DD calendar date"),
    team1: team("team1 (the home team)"),
    team2: team("team2 (the visitors)"),
    neutral: flag.optional(),
    playoff: flag.optional(),
  })
  .strict()
  .refine((g) => g.team1 !== g.team2, { message: "is the same team as team1", path: ["team2"] });

export type ForecastGameInput = z.input<typeof GameInput>;

export const ForecastInput = z
  .object({
    games_dataset: z.string({ error: "choose a games dataset" }).trim().min(1, "choose a games dataset").max(300),
    games: z.array(z.unknown(), { error: "send the games as a list" }),
  })
  .strict();

export interface BaseForecast {
  model_id: string;
  name: string;
  probability: number;
}

export interface GameForecast {
  date: string;
  season: number;
  team1: string;
  team2: string;
  neutral: 0 | 1;
  playoff: 0 | 1;
  /** P(team1 wins), from the ensemble. */
  probability: number;
  /** Each base model's P(team1 wins), in the ensemble's order. */
  base_models: BaseForecast[];
  /** The product's own Elo entering the game: the baseline the ensemble is measured against. */
  elo: { rating1: number; rating2: number; probability: number };
  /** The values the base models were given, by feature. */
  features: Record<string, number>;
}

export interface ForecastAnswer {
  ensemble_id: string;
  ensemble_name: string;
  run_id: string;
  games_dataset: string;
  forecasts: GameForecast[];
}

/** Validates each requested game; every game's problems are fields, the first one the sentence. */
function parseGames(raw: unknown[]): GameQuery[] {
  if (raw.length === 0) throw new ValidationError("Send at least one game to forecast.", { games: ["send at least one game"] });
  if (raw.length > MAX_FORECAST_GAMES) {
    throw new ValidationError(`A forecast takes at most ${MAX_FORECAST_GAMES} games at a time; this request has ${raw.length}.`, {
      games: [`at most ${MAX_FORECAST_GAMES} games per request`],
    });
  }
  const fields: FieldErrors = {};
  let first: string | null = null;
  const games = raw.map((g, i) => {
    const parsed = GameInput.safeParse(g);
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues.map((issue) => {
      if (issue.code === "unrecognized_keys") return { ...issue, message: `has ${issue.keys.map((k) => `"${k}"`).join(", ")}, which a game does not take (give date, team1, team2, and optionally neutral and playoff)` };
      if (issue.code === "invalid_type" && issue.path.length === 0) return { ...issue, message: "is not an object with date, team1 and team2" };
      return issue;
    });
    for (const [key, messages] of Object.entries(fieldErrorsFromZod(issues))) {
      const field = key === "_" ? `games.${i}` : `games.${i}.${key}`;
      fields[field] = messages;
      first ??= `Game ${i + 1}: ${key === "_" ? "" : `${key} `}${messages[0]}.`;
    }
    return null;
  });
  if (first !== null) throw new ValidationError(first, fields);
  return games as GameQuery[];
}

/** Names of the base models in the order the loaded ensemble holds them (its manifest's). */
async function baseModelNames(doc: EnsembleLean): Promise<Array<{ id: string; name: string }>> {
  const ids = (doc.manifest ?? []).map((m) => String(m.model_id));
  const docs = await findByIds<{ _id: mongoose.Types.ObjectId; name: string }>(ModelConfig, ids, { name: 1 });
  const byId = new Map(docs.map((d) => [String(d._id), d.name]));
  return ids.map((id) => ({ id, name: byId.get(id) ?? id }));
}

const FORECASTABLE = new Set<string>(FORECAST_FEATURES);
const PUBLISHED = new Set<string>(FIVETHIRTYEIGHT_FEATURES);

/** Refuses an ensemble whose base models need a feature no games dataset yields for a game it has not seen. */
function checkForecastable(bases: readonly ModelPipeline[], names: ReadonlyArray<{ name: string }>): void {
  const fields: FieldErrors = {};
  let first: string | null = null;
  bases.forEach((base, j) => {
    const lacking = base.features.filter((f) => !FORECASTABLE.has(f));
    if (lacking.length === 0) return;
    const name = names[j]?.name ?? `base model ${j + 1}`;
    const feature = lacking[0];
    const why = PUBLISHED.has(feature)
      ? `which a games dataset cannot produce for a forecast: it is FiveThirtyEight's published pre-game figure, and they publish none for new games. Train the model on ${feature === "elo_prob1" ? "own_elo_prob1" : "own_elo_diff"} (the product's own Elo) instead.`
      : `which a games dataset cannot produce: forecasts compute only ${FORECAST_FEATURES.join(", ")}.`;
    fields[`base_models.${j}`] = [`"${name}" needs ${lacking.map((f) => `"${f}"`).join(", ")}`];
    first ??= `Base model "${name}" needs the feature "${feature}", ${why}`;
  });
  if (first !== null) throw new ValidationError(first, fields);
}

/** Each game's teams must be in the dataset, and its date on or after the dataset's first game. */
function checkAgainstDataset(games: readonly GameQuery[], dataset: GamesDataset): void {
  const teams = new Set(dataset.facts.teams.map((t) => t.code));
  const fields: FieldErrors = {};
  let first: string | null = null;
  const known = dataset.facts.teams.map((t) => t.code);
  const listed = known.length > 12 ? `${known.slice(0, 12).join(", ")} and ${known.length - 12} more` : known.join(", ");
  games.forEach((g, i) => {
    for (const side of ["team1", "team2"] as const) {
      if (teams.has(g[side])) continue;
      fields[`games.${i}.${side}`] = [`is not a team in ${dataset.path}`];
      first ??= `Game ${i + 1}: team "${g[side]}" is not in the games dataset "${dataset.path}"; its teams are ${listed}.`;
    }
    if (g.date < dataset.facts.first_date) {
      fields[`games.${i}.date`] = [`is before the first game in ${dataset.path} (${dataset.facts.first_date})`];
      first ??= `Game ${i + 1}: ${g.date} is before the first game in "${dataset.path}" (${dataset.facts.first_date}); a forecast needs results from before its date.`;
    }
  });
  if (first !== null) throw new ValidationError(first, fields);
}

/**
 * Forecasts games with a built ensemble. Refusals (400) name what is wrong:
 * more than MAX_FORECAST_GAMES games, a malformed game, a dataset that is not
 * a games dataset, an unknown team, a date before the dataset's first game, a
 * base model needing a feature forecasts cannot compute. An unknown ensemble is
 * a 404; one not built, or stale, a 409.
 */
export async function forecastGames(ensembleId: string, input: unknown): Promise<ForecastAnswer> {
  const doc = await findEnsemble(ensembleId);
  const request = parseInput(ForecastInput, input, "The forecast request is not valid.");
  const queries = parseGames(request.games);

  const loaded = await loadEnsemble(doc);
  if (doc.target !== NBA_TARGET_COLUMN) {
    throw new ValidationError(
      `Ensemble "${doc.name}" predicts "${doc.target}", not "${NBA_TARGET_COLUMN}"; only ensembles of models that predict whether team 1 wins can forecast games.`,
      { ensemble: [`predicts ${doc.target}`] },
    );
  }
  const names = await baseModelNames(doc);
  checkForecastable(loaded.stack.bases, names);

  const dataset = await gamesDataset(request.games_dataset);
  checkAgainstDataset(queries, dataset);

  const rows = await forecastFeatureRows(dataset, queries);
  const { probabilities, perBase, features } = predict(loaded.stack, rows);
  return {
    ensemble_id: String(doc._id),
    ensemble_name: doc.name,
    run_id: loaded.runId,
    games_dataset: dataset.path,
    forecasts: rows.map((r, i) => ({
      date: r.date,
      season: r.season,
      team1: r.team1,
      team2: r.team2,
      neutral: r.neutral as 0 | 1,
      playoff: r.playoff as 0 | 1,
      probability: probabilities[i],
      base_models: perBase[i].map((p, j) => ({ model_id: names[j]?.id ?? "", name: names[j]?.name ?? "", probability: p })),
      elo: { rating1: r.own_elo_1, rating2: r.own_elo_2, probability: r.own_elo_prob1 },
      features: Object.fromEntries(features.map((f) => [f, r[f as keyof QueryFeatureRow] as number])),
    })),
  };
}

/** The ensemble's probability and each base model's, from one transform (the one predictions always use). */
function predict(stack: StackedEnsemble<ModelPipeline>, rows: readonly QueryFeatureRow[]) {
  const features = stack.features;
  const X = rows.map((r) => features.map((f) => r[f as keyof QueryFeatureRow] as number));
  const perBase = StackedEnsemble.transform(stack.bases, columnSource(X, features));
  return { probabilities: stack.meta.predictProba(perBase), perBase, features };
}
