import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import { checkEloGames } from "@/lib/nba/elo";
import { parseGameResultsCsv, type GameRecord } from "@/lib/nba/games";

/**
 * A games dataset: game results (date, season, teams, scores) that the product
 * rates with its own Elo and turns into features, for training tables and for
 * forecasts of any later date. What its upload records, so that pages and
 * request checks never parse the file again.
 */

export const GAMES_KIND = "games";

/** Bump when the facts' meaning changes; documents with another version are treated as lacking them. */
export const GAMES_FACTS_VERSION = 1;

const teamFacts = z.object({
  code: z.string(),
  games: z.number().int().min(0),
  first_season: z.number().int(),
  last_season: z.number().int(),
  last_date: z.string(),
});
export type TeamFacts = z.infer<typeof teamFacts>;

export const gamesFactsSchema = z.object({
  version: z.literal(GAMES_FACTS_VERSION),
  games: z.number().int().min(1),
  first_date: z.string(),
  last_date: z.string(),
  first_season: z.number().int(),
  last_season: z.number().int(),
  /** The file has FiveThirtyEight's elo1_pre, elo2_pre and elo_prob1 (features for training tables, never for forecasts). */
  fivethirtyeight_elo: z.boolean(),
  /** Every team code in the file, alphabetical. */
  teams: z.array(teamFacts),
});
export type GamesFacts = z.infer<typeof gamesFactsSchema>;

/** How many bad rows a refusal lists before counting the rest. */
const SHOWN_BAD_ROWS = 5;

/**
 * Every row must parse: one skipped result would shift every later Elo rating
 * and form figure, so a games file with a bad row is refused whole, naming the
 * first few lines.
 */
export function parseGamesDataset(text: string): { games: GameRecord[]; fiveThirtyEightElo: boolean } {
  const { games, badRows, fiveThirtyEightElo } = parseGameResultsCsv(text);
  if (badRows.length > 0) {
    const shown = badRows.slice(0, SHOWN_BAD_ROWS).map((b) => `Line ${b.line}: ${b.message}.`);
    const more = badRows.length - shown.length;
    throw new ValidationError(
      `The games CSV has ${badRows.length} bad row${badRows.length === 1 ? "" : "s"}; every game must be valid, because each result moves later ratings. ${shown[0]}`,
      { file: more > 0 ? [...shown, `…and ${more} more.`] : shown },
    );
  }
  if (games.length === 0) {
    throw new ValidationError("The games CSV has no games; add one row per game under the header.", { file: ["no games under the header"] });
  }
  // Refuses what the ratings cannot take (a franchise playing itself, a season going backwards) now, not at forecast time.
  checkEloGames(games);
  return { games, fiveThirtyEightElo };
}

export function describeGames(games: readonly GameRecord[], fiveThirtyEightElo: boolean): GamesFacts {
  const teams = new Map<string, TeamFacts>();
  let first = games[0];
  let last = games[0];
  let firstSeason = games[0].season;
  let lastSeason = games[0].season;
  for (const g of games) {
    firstSeason = Math.min(firstSeason, g.season);
    lastSeason = Math.max(lastSeason, g.season);
    if (g.date < first.date) first = g;
    if (g.date > last.date || (g.date === last.date && g.season > last.season)) last = g;
    for (const code of [g.team1, g.team2]) {
      const t = teams.get(code);
      if (!t) teams.set(code, { code, games: 1, first_season: g.season, last_season: g.season, last_date: g.date });
      else {
        t.games++;
        t.first_season = Math.min(t.first_season, g.season);
        t.last_season = Math.max(t.last_season, g.season);
        if (g.date > t.last_date) t.last_date = g.date;
      }
    }
  }
  return {
    version: GAMES_FACTS_VERSION,
    games: games.length,
    first_date: first.date,
    last_date: last.date,
    first_season: firstSeason,
    last_season: lastSeason,
    fivethirtyeight_elo: fiveThirtyEightElo,
    teams: [...teams.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)),
  };
}

/** Teams that played in the dataset's last season first (those a forecast is usually about), then the rest. */
export function teamsForPicking(facts: GamesFacts): { current: string[]; earlier: string[] } {
  const current = facts.teams.filter((t) => t.last_season === facts.last_season).map((t) => t.code);
  const earlier = facts.teams.filter((t) => t.last_season !== facts.last_season).map((t) => t.code);
  return { current, earlier };
}
