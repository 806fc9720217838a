import fs from "node:fs/promises";
import path from "node:path";
import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { syntheticCsv } from "@/lib/ml/synthetic";
import { gameResultsToCsv } from "@/lib/nba/games";
import { generateGames } from "@/lib/nba/generator";

/** Where scripts/e2e-server.sh keeps this run's data (wiped at each start). */
export const E2E_DIR = path.resolve(process.env.E2E_DIR ?? ".data/e2e");
export const ARTIFACT_DIR = path.join(E2E_DIR, "artifacts");
export const SCREENSHOT_DIR = path.resolve("e2e-output/screenshots");

/** The people the setup project creates through the product's own flows, and where their sessions are kept. */
export const USERS = {
  admin: { name: "Ada Admin", email: "ada@example.test", password: "admin password 1" },
  editor: { name: "Eddie Editor", email: "eddie@example.test", password: "editor password 1" },
  viewer: { name: "Vera Viewer", email: "vera@example.test", password: "viewer password 1" },
} as const;
export const STATE = {
  admin: path.join(E2E_DIR, "state-admin.json"),
  editor: path.join(E2E_DIR, "state-editor.json"),
  viewer: path.join(E2E_DIR, "state-viewer.json"),
} as const;

/** A learnable toy dataset of games: four numeric features and the 0/1 target home_win, the same for a seed on every run. */
export function gamesCsv(rows = 400, seed = 7): string {
  return syntheticCsv(rows, seed, "home_win");
}

export interface ApiModel {
  id: string;
  name: string;
  model_artifact_path: string | null;
  artifacts?: Record<"model" | "scaler" | "features", { path: string | null; status: string }>;
}

export async function listModels(request: APIRequestContext): Promise<ApiModel[]> {
  const res = await request.get("/api/models");
  expect(res.ok()).toBe(true);
  return ((await res.json()) as { models: ApiModel[] }).models;
}

/** Creates and trains a model through the JSON API and waits for its job to succeed. */
export async function createAndTrainModel(request: APIRequestContext, body: Record<string, unknown>): Promise<ApiModel> {
  const created = await request.post("/api/models", { data: body });
  expect(created.status(), await created.text()).toBe(201);
  const model = (await created.json()) as ApiModel;
  await trainViaApi(request, model.id);
  return model;
}

export async function trainViaApi(request: APIRequestContext, modelId: string): Promise<void> {
  await runJobViaApi(request, `/api/models/${modelId}/train`, "training");
}

/** Stores a CSV through POST /api/datasets (text/csv body) and returns its path, e.g. "games.csv". */
export async function uploadCsvViaApi(request: APIRequestContext, name: string, csv: string): Promise<string> {
  const res = await request.post(`/api/datasets?name=${encodeURIComponent(name)}`, { headers: { "content-type": "text/csv" }, data: csv });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { path: string }).path;
}

/** Creates an ensemble through the JSON API and builds it, waiting for the build job to succeed. */
export async function createAndBuildEnsemble(request: APIRequestContext, body: Record<string, unknown>): Promise<{ id: string; name: string }> {
  const created = await request.post("/api/ensembles", { data: body });
  expect(created.status(), await created.text()).toBe(201);
  const ensemble = (await created.json()) as { id: string; name: string };
  await runJobViaApi(request, `/api/ensembles/${ensemble.id}/train`, "ensemble build");
  return ensemble;
}

/** Starts a job with a POST that answers 202 { job_id }, then polls GET /api/jobs/:id until it succeeds. */
async function runJobViaApi(request: APIRequestContext, startUrl: string, what: string): Promise<void> {
  const start = await request.post(startUrl);
  expect(start.status(), await start.text()).toBe(202);
  const { job_id } = (await start.json()) as { job_id: string };
  await expect
    .poll(
      async () => {
        const job = (await (await request.get(`/api/jobs/${job_id}`)).json()) as { status: string; error: string | null };
        if (job.status === "failed") throw new Error(`${what} failed: ${job.error}`);
        return job.status;
      },
      { timeout: 60_000, intervals: [250, 500, 1000] },
    )
    .toBe("succeeded");
}

/** Resolves an artifact path from the API or the page to a file under the e2e artifact folder. */
export function artifactFile(recorded: string): string {
  const file = path.isAbsolute(recorded) ? recorded : path.join(ARTIFACT_DIR, recorded);
  const rel = path.relative(ARTIFACT_DIR, file);
  if (rel.startsWith("..") || path.isAbsolute(rel)) throw new Error(`artifact ${recorded} is outside ${ARTIFACT_DIR}`);
  return file;
}

/** Opens a page and waits until React has attached its event handlers. */
export async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
}

export async function reload(page: Page): Promise<void> {
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.hydrated === "true");
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Clicks the train/build button and waits until a new job's progress bar says it finished. */
export async function runJobFromPage(page: Page, buttonName: RegExp): Promise<void> {
  const panel = page.getByTestId("job-progress");
  const previousJob = (await panel.count()) > 0 ? await panel.getAttribute("data-job-id") : null;
  await page.getByRole("button", { name: buttonName }).click();
  await expect(panel).toHaveAttribute("data-job-id", previousJob ? new RegExp(`^(?!${previousJob}$)`) : /.+/);
  const progress = page.getByRole("progressbar");
  await expect(progress).toBeVisible();
  await expect(panel).toHaveAttribute("data-status", /succeeded|failed/, { timeout: 90_000 });
  await expect(page.getByTestId("job-status"), (await page.getByTestId("job-progress").textContent()) ?? "").toHaveText("Finished");
  await expect(progress).toHaveAttribute("aria-valuenow", "100");
}

export interface ForecastingSetup {
  gamesPath: string;
  ensembleId: string;
  ensembleName: string;
  /** The league's team codes, alphabetical. */
  teams: string[];
  firstDate: string;
  lastDate: string;
}

/**
 * Everything the Forecast page needs, through the JSON API: a games dataset of
 * generated results, feature tables built from it, two trained models over
 * features a forecast can compute, and a built ensemble of them.
 */
export async function setUpForecasting(request: APIRequestContext, prefix: string, seed = 5): Promise<ForecastingSetup> {
  const games = generateGames({ seed, seasons: 3, teams: 8, gamesPerTeam: 30 });
  const gamesPath = await uploadCsvViaApi(request, `${prefix}-games`, gameResultsToCsv(games));
  const table = async (name: string, seasons: Record<string, number>) => {
    const res = await request.post("/api/datasets/features", { data: { games_dataset: gamesPath, name, ...seasons } });
    expect(res.status(), await res.text()).toBe(201);
    return ((await res.json()) as { path: string }).path;
  };
  const base = await table(`${prefix}-base`, { to_season: 2002 });
  const meta = await table(`${prefix}-meta`, { from_season: 2003 });
  const common = { algorithm: "logistic_regression", target: "home_win", training_csv: base };
  const elo = await createAndTrainModel(request, { ...common, name: `${prefix}-elo`, features: ["own_elo_prob1"] });
  const form = await createAndTrainModel(request, { ...common, name: `${prefix}-form`, features: ["roll_pd_diff", "season_win_pct_diff", "rest_diff"] });
  const ensemble = await createAndBuildEnsemble(request, { name: `${prefix}-stack`, base_model_ids: [elo.id, form.id], meta_training_csv: meta });
  const dates = games.map((g) => g.date).sort();
  return {
    gamesPath,
    ensembleId: ensemble.id,
    ensembleName: ensemble.name,
    teams: [...new Set(games.flatMap((g) => [g.team1, g.team2]))].sort(),
    firstDate: dates[0],
    lastDate: dates[dates.length - 1],
  };
}
