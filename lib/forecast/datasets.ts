import { z } from "zod";
import {
  TABLE_KIND,
  datasetSource,
  listDatasets,
  listDatasetsOfKind,
  saveDataset,
  saveDatasetUpload,
  type DatasetInfo,
  type DatasetInspector,
  type DatasetSource,
  type DatasetUpload,
} from "@/lib/datasets";
import { ValidationError, parseInput } from "@/lib/errors";
import { hasResultColumns, RESULT_COLUMNS } from "@/lib/nba/games";
import { GAMES_KIND, gamesFactsSchema, type GamesFacts } from "./games-facts";
import { gamesFeatureCsv, inspectGamesFile } from "./games-thread";

/**
 * Datasets as the NBA product sees them: a CSV whose header has the result
 * columns is a games dataset (checked row by row and described at upload),
 * anything else a plain table; and feature tables built from games datasets.
 */

export const DATASET_KINDS = ["auto", GAMES_KIND, TABLE_KIND] as const;
export type DatasetKindChoice = (typeof DATASET_KINDS)[number];

const KindChoice = z.enum(DATASET_KINDS, { error: `choose one of ${DATASET_KINDS.join(", ")}` });

export function parseKindChoice(value: unknown): DatasetKindChoice {
  if (value === undefined || value === null || value === "") return "auto";
  return parseInput(z.object({ kind: KindChoice }), { kind: value }, "The dataset kind is not valid.").kind;
}

/** `kind` may be a promise (a form field sent after the file): it is then read once the file is in. */
function inspectorFor(kind: unknown): DatasetInspector {
  // Known up front, a bad kind is refused before a byte is written.
  const known = kind instanceof Promise ? null : parseKindChoice(kind);
  return async (file, { columns }) => {
    const choice = known ?? parseKindChoice(await kind);
    if (choice === TABLE_KIND) return { kind: TABLE_KIND };
    if (choice === "auto" && !hasResultColumns(columns)) return { kind: TABLE_KIND };
    try {
      return { kind: GAMES_KIND, facts: await inspectGamesFile(file) };
    } catch (err) {
      if (err instanceof ValidationError && choice === "auto") {
        // Detected from the header, so say how to store it anyway.
        throw new ValidationError(`${err.message} (Its header makes it a games dataset; upload it with kind "table" to store it as a plain table.)`, err.fields);
      }
      throw err;
    }
  };
}

/**
 * Stores an upload. `kind` "auto" (the default) makes a CSV whose header has
 * date, season, team1, team2, score1 and score2 a games dataset; "games"
 * insists on it; "table" stores any CSV as a plain table.
 */
export async function storeDataset(upload: DatasetUpload, kind: unknown = "auto"): Promise<DatasetInfo> {
  return saveDatasetUpload(upload, { inspect: inspectorFor(kind) });
}

/** Text already in memory (the demo seed, scripts, tests). */
export async function storeDatasetText(input: { name: unknown; text: string }, kind: unknown = "auto"): Promise<DatasetInfo> {
  return saveDataset(input, { inspect: inspectorFor(kind) });
}

export interface GamesDataset extends DatasetSource {
  facts: GamesFacts;
}

/** A stored games dataset with its recorded facts, or a ValidationError keyed on `field` saying why it cannot serve. */
export async function gamesDataset(path: string, field = "games_dataset"): Promise<GamesDataset> {
  const source = await datasetSource(path, field);
  const facts = gamesFactsSchema.safeParse(source.kindFacts);
  if (source.kind !== GAMES_KIND || !facts.success) {
    throw new ValidationError(
      `The dataset "${path}" is not a games dataset; upload game results with the columns ${RESULT_COLUMNS.join(", ")}.`,
      { [field]: ["not a games dataset"] },
    );
  }
  return { ...source, facts: facts.data };
}

export interface GamesDatasetView extends DatasetInfo {
  facts: GamesFacts;
}

export interface DatasetListing extends DatasetInfo {
  /** For games datasets: dates, seasons and teams. */
  games?: GamesFacts;
}

/** Every dataset, newest first, games datasets with their facts. */
export async function listAllDatasets(): Promise<DatasetListing[]> {
  const [all, games] = await Promise.all([listDatasets(), listGamesDatasets()]);
  const factsOf = new Map(games.map((g) => [g.path, g.facts]));
  return all.map((d) => (factsOf.has(d.path) ? { ...d, games: factsOf.get(d.path) } : d));
}

/** Games datasets, newest first, with their teams and dates. */
export async function listGamesDatasets(): Promise<GamesDatasetView[]> {
  const found = await listDatasetsOfKind(GAMES_KIND);
  return found.flatMap(({ kindFacts, ...info }) => {
    const facts = gamesFactsSchema.safeParse(kindFacts);
    return facts.success ? [{ ...info, facts: facts.data }] : [];
  });
}

const season = z.coerce.number({ error: "must be a year" }).int("must be a whole year").min(1900, "must be 1900 or later").max(2200, "must be 2200 or earlier");

export const FeatureDatasetInput = z
  .object({
    games_dataset: z.string({ error: "choose a games dataset" }).trim().min(1, "choose a games dataset").max(300),
    name: z.string({ error: "give the feature table a name" }).trim().min(1, "give the feature table a name").max(80),
    from_season: season.optional(),
    to_season: season.optional(),
  })
  .strict()
  .refine((i) => i.from_season === undefined || i.to_season === undefined || i.from_season <= i.to_season, {
    message: "must not be after to_season",
    path: ["from_season"],
  });

/**
 * Builds the pre-game feature table of a games dataset (the code nba:features
 * runs, the product's own Elo included) and stores it as a dataset of its own,
 * optionally only some seasons' rows (earlier seasons still count as history).
 */
export async function buildFeatureDataset(input: unknown): Promise<DatasetInfo> {
  const cfg = parseInput(FeatureDatasetInput, input, "The feature table request is not valid.");
  const games = await gamesDataset(cfg.games_dataset);
  const { csv, rows } = await gamesFeatureCsv(games, { fromSeason: cfg.from_season, toSeason: cfg.to_season });
  if (rows === 0) {
    const span = [cfg.from_season, cfg.to_season].map((s) => s ?? "…").join("–");
    throw new ValidationError(`No game of "${cfg.games_dataset}" falls in seasons ${span}; it has seasons ${games.facts.first_season}–${games.facts.last_season}.`, {
      from_season: ["no games in these seasons"],
    });
  }
  return saveDataset({ name: cfg.name, text: csv });
}
