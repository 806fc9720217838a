import { beforeAll, describe, expect, it } from "vitest";
import { buildEnsemble } from "@/lib/ensemble/build";
import { createEnsemble } from "@/lib/ensemble/service";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { ELO_MODEL_FEATURES, forecastSetup, type ForecastSetup } from "@/lib/testing/forecast-fixtures";
import { useTestEnv } from "@/lib/testing/env";
import { asRole, requestWith } from "@/lib/testing/identities";
import { createModelConfig } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { POST as forecast } from "./route";

useTestEnv();

let setup: ForecastSetup;
let fte: ForecastSetup;
let editor: ReturnType<typeof requestWith>;
let viewer: ReturnType<typeof requestWith>;

beforeAll(async () => {
  editor = requestWith(await asRole("editor"));
  viewer = requestWith(await asRole("viewer"));
  setup = await forecastSetup("route");
  // A base model trained on FiveThirtyEight's published elo_prob1, which no games dataset yields for a new game.
  fte = await forecastSetup("fte", { fiveThirtyEight: true, features: [["elo_prob1", "neutral"], ELO_MODEL_FEATURES] });
});

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

async function call(id: string, body: unknown, as = editor) {
  const res = await forecast(
    as("http://test/api/ensembles/x/forecast", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    ctx(id),
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: string; fields?: Record<string, string[]> } };
}

const teams = () => [setup.games[0].team1, setup.games[0].team2] as const;
const game = (over: Record<string, unknown> = {}) => ({ date: "2004-11-01", team1: teams()[0], team2: teams()[1], ...over });

describe("POST /api/ensembles/:id/forecast", () => {
  it("answers an editor with P(team1 wins), each base model's probability and the features used", async () => {
    const { status, body } = await call(setup.ensembleId, { games_dataset: setup.gamesPath, games: [game(), game({ neutral: 1, playoff: true })] });
    expect(status, JSON.stringify(body)).toBe(200);
    const forecasts = body.forecasts as Array<Record<string, unknown> & { base_models: unknown[]; features: Record<string, number> }>;
    expect(forecasts).toHaveLength(2);
    expect(forecasts[1]).toMatchObject({ date: "2004-11-01", season: 2005, team1: teams()[0], team2: teams()[1], neutral: 1, playoff: 1 });
    expect(forecasts[0].base_models).toHaveLength(2);
    expect(forecasts[0].features).toHaveProperty("own_elo_prob1");
  });

  it("needs an editor, as predictions do", async () => {
    const asViewer = await call(setup.ensembleId, { games_dataset: setup.gamesPath, games: [game()] }, viewer);
    expect(asViewer.status).toBe(403);
    const anonymous = await forecast(
      new Request("http://test/api/ensembles/x/forecast", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
      ctx(setup.ensembleId),
    );
    expect(anonymous.status).toBe(401);
  });

  it("refuses each bad input with a 400 and a sentence that names it", async () => {
    const cases: Array<[string, unknown, RegExp, string]> = [
      ["unknown team", { games_dataset: setup.gamesPath, games: [game(), game({ team2: "ZZZ" })] }, /^Game 2: team "ZZZ" is not in the games dataset "route-games\.csv"; its teams are /, "games.1.team2"],
      [
        "date before the first game",
        { games_dataset: setup.gamesPath, games: [game({ date: "1999-06-01" })] },
        /^Game 1: 1999-06-01 is before the first game in "route-games\.csv" \(2000-10-28\); a forecast needs results from before its date\.$/,
        "games.0.date",
      ],
      [
        "more than 500 games",
        { games_dataset: setup.gamesPath, games: Array.from({ length: 501 }, () => game()) },
        /^A forecast takes at most 500 games at a time; this request has 501\.$/,
        "games",
      ],
      ["no games", { games_dataset: setup.gamesPath, games: [] }, /^Send at least one game to forecast\.$/, "games"],
      ["a date that is no day", { games_dataset: setup.gamesPath, games: [game({ date: "2004-02-30" })] }, /^Game 1: date is not a YYYY-MM-DD calendar date\.$/, "games.0.date"],
      ["a team against itself", { games_dataset: setup.gamesPath, games: [game({ team2: teams()[0] })] }, /^Game 1: team2 is the same team as team1\.$/, "games.0.team2"],
      [
        "a field a game does not take",
        { games_dataset: setup.gamesPath, games: [game({ score1: 100 })] },
        /^Game 1: has "score1", which a game does not take \(give date, team1, team2, and optionally neutral and playoff\)\.$/,
        "games.0",
      ],
      ["a flag that is not 0 or 1", { games_dataset: setup.gamesPath, games: [game(), game({ neutral: 2 })] }, /^Game 2: neutral must be 0 or 1\.$/, "games.1.neutral"],
      ["a games dataset that is not one", { games_dataset: setup.basePath, games: [game()] }, /^The dataset "route-base\.csv" is not a games dataset; upload game results/, "games_dataset"],
      ["a dataset that does not exist", { games_dataset: "nothing.csv", games: [game()] }, /^The dataset "nothing\.csv" does not exist/, "games_dataset"],
      ["no dataset at all", { games: [game()] }, /^The forecast request is not valid\.$/, "games_dataset"],
    ];
    for (const [what, body, sentence, field] of cases) {
      const res = await call(setup.ensembleId, body);
      expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error, what).toMatch(sentence);
      expect(Object.keys(res.body.fields ?? {}), what).toContain(field);
    }
  });

  it("refuses an ensemble whose base model needs a feature a games dataset cannot produce, naming the model and the feature", async () => {
    const { status, body } = await call(fte.ensembleId, { games_dataset: fte.gamesPath, games: [game()] });
    expect(status).toBe(400);
    expect(body.error).toMatch(/^Base model "fte-model-1" needs the feature "elo_prob1", which a games dataset cannot produce for a forecast: it is FiveThirtyEight's published/);
    expect(body.error).toMatch(/Train the model on own_elo_prob1/);
    expect(body.fields).toEqual({ "base_models.0": ['"fte-model-1" needs "elo_prob1"'] });
  });

  it("refuses an ensemble that does not predict home wins, one not built (409) and an unknown one (404)", async () => {
    const synthetic = await saveSyntheticDataset("route-synthetic", 200, 4);
    const ids: string[] = [];
    for (const features of [["f1", "f2"], ["f3", "f4"]]) {
      const m = await createModelConfig({ name: `route-synthetic-${features[0]}`, algorithm: "logistic_regression", features, target: "label", training_csv: synthetic.path });
      await trainModel(m.id);
      ids.push(m.id);
    }
    const other = await createEnsemble({ name: "route-label-stack", base_model_ids: ids, meta_training_csv: synthetic.path });
    const unbuilt = await call(other.id, { games_dataset: setup.gamesPath, games: [game()] });
    expect(unbuilt.status).toBe(409);
    expect(unbuilt.body.error).toMatch(/has not been built yet/);
    await buildEnsemble(other.id);
    const label = await call(other.id, { games_dataset: setup.gamesPath, games: [game()] });
    expect(label.status).toBe(400);
    expect(label.body.error).toMatch(/^Ensemble "route-label-stack" predicts "label", not "home_win"/);
    const missing = await call("0123456789abcdef01234567", { games_dataset: setup.gamesPath, games: [game()] });
    expect(missing.status).toBe(404);
  });

  it("refuses a stale ensemble (409) once a base model has been retrained", async () => {
    await trainModel(setup.modelIds[1]);
    const stale = await call(setup.ensembleId, { games_dataset: setup.gamesPath, games: [game()] });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatch(/stale/);
  });
});
