import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readDatasetText } from "@/lib/datasets";
import { parseCsv } from "@/lib/ml/csv";
import { gameResultsToCsv } from "@/lib/nba/games";
import { generateGames } from "@/lib/nba/generator";
import { useTestEnv } from "@/lib/testing/env";
import { useNodes } from "@/lib/testing/nodes";
import { buildFeatureDataset, gamesDataset, storeDatasetText } from "./datasets";

// Games datasets on nodes that share no disk (ARTIFACT_DIR=gridfs://): the
// worker thread reads a file, so a node without the upload works from a copy.
const env = useTestEnv();
const becomeNode = useNodes(env);

describe("games datasets in GridFS", () => {
  it("are described on the node that received them and featurized on another with an empty folder", async () => {
    becomeNode("upload");
    const games = generateGames({ seed: 5, seasons: 2 });
    const stored = await storeDatasetText({ name: "shared-results", text: gameResultsToCsv(games) });
    expect(stored).toMatchObject({ kind: "games", rows: games.length });

    const other = becomeNode("other");
    expect(fs.readdirSync(other)).toEqual([]);
    const source = await gamesDataset(stored.path);
    expect(source.facts.teams.length).toBeGreaterThan(1);
    const table = await buildFeatureDataset({ games_dataset: stored.path, name: "shared-features" });
    expect(table.rows).toBe(games.length);
    expect(parseCsv(await readDatasetText(table.path)).columns).toContain("own_elo_diff");
    // The copy the thread read is this node's, named by checksum; a second request reuses it.
    const copies = fs.readdirSync(path.join(other, ".copies"));
    expect(copies).toEqual([`${source.sha256}.csv`]);
    await buildFeatureDataset({ games_dataset: stored.path, name: "shared-features-2", from_season: games[games.length - 1].season });
    expect(fs.readdirSync(path.join(other, ".copies"))).toEqual(copies);
  });
});
