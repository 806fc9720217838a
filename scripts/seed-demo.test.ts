import { describe, expect, it } from "vitest";
import { getEnsemble, listEnsembles } from "@/lib/ensemble/service";
import { gamesDataset, listGamesDatasets } from "@/lib/forecast/datasets";
import { teamsForPicking } from "@/lib/forecast/games-facts";
import { forecastGames } from "@/lib/forecast/service";
import { DEMO_DATASETS, DEMO_ENSEMBLE } from "@/lib/nba/demo";
import { useTestEnv } from "@/lib/testing/env";
import { seedDemoIfEmpty } from "./seed-demo";

useTestEnv();

describe("the demo seed", () => {
  it("leaves a games dataset and a built ensemble that forecasts next season's opening night, and seeds only once", { timeout: 240_000 }, async () => {
    const report = await seedDemoIfEmpty();
    expect(report).toMatchObject({ seeded: true, games_dataset: `${DEMO_DATASETS.games}.csv` });
    expect((await listGamesDatasets()).map((d) => d.path)).toEqual([`${DEMO_DATASETS.games}.csv`]);
    const [ensemble] = (await listEnsembles()).ensembles;
    expect(ensemble).toMatchObject({ name: DEMO_ENSEMBLE.name, status: "trained", stale: false });
    const holdout = (await getEnsemble(ensemble.id)).runs.at(-1)?.holdout;
    expect(holdout?.baseline?.column).toBe("own_elo_prob1");
    expect(holdout?.seasons.map((s) => s.season)).toEqual([2004]);

    const games = await gamesDataset(`${DEMO_DATASETS.games}.csv`);
    const { current } = teamsForPicking(games.facts);
    expect(current).toHaveLength(30);
    const answer = await forecastGames(ensemble.id, {
      games_dataset: games.path,
      games: [
        { date: "2004-10-30", team1: current[0], team2: current[1] },
        { date: "2004-10-30", team1: current[1], team2: current[0] },
      ],
    });
    for (const f of answer.forecasts) {
      expect(f.season).toBe(2005);
      expect(f.base_models).toHaveLength(3);
      expect(f.probability).toBeGreaterThan(0.05);
      expect(f.probability).toBeLessThan(0.95);
    }
    // Home court is worth something to every model in the stack.
    const [a, b] = answer.forecasts;
    expect(a.probability + b.probability).toBeGreaterThan(1);

    expect(await seedDemoIfEmpty()).toMatchObject({ seeded: false });
  });
});
