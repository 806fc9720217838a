import fs from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { open, screenshot, setUpForecasting, type ForecastingSetup } from "./support";

/**
 * The question users ask: who wins this game on this date, and how sure are
 * we. One game through the form, many through a schedule CSV whose answers
 * download as CSV, and the ensemble page's calibration against Elo.
 */
test.describe.configure({ mode: "serial" });

const RUN = Date.now().toString(36);
let setup: ForecastingSetup;

test.beforeAll(async ({ playwright }, testInfo) => {
  const request = await playwright.request.newContext({ baseURL: testInfo.project.use.baseURL, storageState: testInfo.project.use.storageState });
  try {
    setup = await setUpForecasting(request, `fc-${RUN}`);
  } finally {
    await request.dispose();
  }
});

async function chooseEnsembleAndDataset(page: Page): Promise<void> {
  await page.getByLabel("Ensemble", { exact: true }).selectOption({ label: setup.ensembleName });
  await page.getByLabel("Games dataset", { exact: true }).selectOption(setup.gamesPath);
}

interface ApiForecast {
  probability: number;
  base_models: Array<{ name: string; probability: number }>;
  elo: { probability: number };
}

test("the Forecast page answers one game with the ensemble's probability and each base model's bar", async ({ page, request }) => {
  await open(page, "/forecast");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Forecast");
  await chooseEnsembleAndDataset(page);
  const [home, away] = [setup.teams[2], setup.teams[5]];
  await page.getByLabel("Home team (team 1)").selectOption(home);
  await page.getByLabel("Visiting team (team 2)").selectOption(away);
  // The form proposes the day after the dataset's last game: tonight, as far as the data knows.
  const nextDay = new Date(Date.parse(`${setup.lastDate}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  await expect(page.getByLabel("Date")).toHaveValue(nextDay);
  await page.getByLabel("Date").fill("2003-11-05");
  await page.getByRole("button", { name: "Forecast", exact: true }).click();

  const headline = page.getByTestId("forecast-headline");
  await expect(headline).toHaveText(new RegExp(`^${home} wins with probability \\d+\\.\\d%$`));
  const api = await request.post(`/api/ensembles/${setup.ensembleId}/forecast`, {
    data: { games_dataset: setup.gamesPath, games: [{ date: "2003-11-05", team1: home, team2: away }] },
  });
  expect(api.status(), await api.text()).toBe(200);
  const [expected] = ((await api.json()) as { forecasts: ApiForecast[] }).forecasts;
  await expect(headline).toHaveText(`${home} wins with probability ${(expected.probability * 100).toFixed(1)}%`);

  // One bar per forecaster: the ensemble, each base model, Elo alone; the same numbers in the table.
  const chart = page.getByTestId("probability-chart");
  await expect(chart.locator(".recharts-bar-rectangle")).toHaveCount(4);
  await expect(page.getByRole("img", { name: new RegExp(`^Chance that ${home} beats ${away}: ensemble`) })).toBeVisible();
  const rows = page.getByTestId("probability-table").getByRole("row");
  await expect(rows).toHaveCount(5);
  for (const [i, b] of expected.base_models.entries()) {
    await expect(rows.nth(i + 2)).toContainText(`${b.name}${(b.probability * 100).toFixed(1)}%`);
  }
  await expect(rows.nth(4)).toContainText(`Elo alone (baseline)${(expected.elo.probability * 100).toFixed(1)}%`);
  await screenshot(page, "forecast-one-game-1280");

  // A neutral court takes home advantage away: Elo alone gives the home side less.
  const eloRow = page.getByTestId("probability-table").getByRole("row").nth(4);
  const eloBefore = Number((await eloRow.textContent())?.match(/(\d+\.\d)%/)?.[1]);
  await page.getByLabel("Neutral court (no home advantage)").check();
  await page.getByRole("button", { name: "Forecast", exact: true }).click();
  await expect(page.getByTestId("forecast-result")).toContainText("neutral court");
  await expect(eloRow).not.toContainText(`${eloBefore.toFixed(1)}%`);
  const eloAfter = Number((await eloRow.textContent())?.match(/(\d+\.\d)%/)?.[1]);
  expect(eloAfter).toBeLessThan(eloBefore);
});

test("a date before the dataset's first game is refused on the date field", async ({ page }) => {
  await open(page, "/forecast");
  await chooseEnsembleAndDataset(page);
  await page.getByLabel("Date").fill("1999-01-01");
  await page.getByRole("button", { name: "Forecast", exact: true }).click();
  await expect(page.getByTestId("form-error")).toContainText(`1999-01-01 is before the first game in "${setup.gamesPath}"`);
  await expect(page.getByLabel("Date")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("forecast-result")).toHaveCount(0);
});

test("a schedule CSV is forecast game by game and the answers download as CSV", async ({ page, request }) => {
  await open(page, "/forecast");
  await chooseEnsembleAndDataset(page);
  const [a, b, c, d] = setup.teams;
  const schedule = ["date,team1,team2,neutral,playoff", `2003-11-05,${a},${b},0,0`, `2003-11-05,${c},${d},,`, `2003-11-06,${b},${c},1,1`].join("\n") + "\n";
  await page.getByLabel("Schedule CSV").setInputFiles({ name: "tonight.csv", mimeType: "text/csv", buffer: Buffer.from(schedule) });
  await page.getByRole("button", { name: "Forecast the schedule" }).click();
  await expect(page.getByTestId("schedule-result")).toContainText("Forecast 3 games.");
  await expect(page.getByTestId("schedule-row")).toHaveCount(3);
  await expect(page.getByTestId("schedule-row").nth(2)).toContainText(`2003-11-06${b}${c}`);

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("schedule-download").click()]);
  expect(download.suggestedFilename()).toBe("forecasts.csv");
  const csv = (await fs.readFile(await download.path(), "utf8")).trimEnd().split("\n");
  expect(csv[0]).toBe(`date,season,team1,team2,neutral,playoff,p_team1_wins,elo_p_team1_wins,p_team1_wins ${setup.ensembleName.replace(/-stack$/, "")}-elo,p_team1_wins ${setup.ensembleName.replace(/-stack$/, "")}-form`);
  expect(csv).toHaveLength(4);

  const api = await request.post(`/api/ensembles/${setup.ensembleId}/forecast`, {
    data: {
      games_dataset: setup.gamesPath,
      games: [
        { date: "2003-11-05", team1: a, team2: b },
        { date: "2003-11-05", team1: c, team2: d },
        { date: "2003-11-06", team1: b, team2: c, neutral: 1, playoff: 1 },
      ],
    },
  });
  const { forecasts } = (await api.json()) as { forecasts: ApiForecast[] };
  forecasts.forEach((f, i) => {
    const cells = csv[i + 1].split(",");
    expect(Number(cells[6])).toBeCloseTo(f.probability, 6);
    expect(Number(cells[7])).toBeCloseTo(f.elo.probability, 6);
  });
  expect(csv[3].split(",").slice(0, 6)).toEqual(["2003-11-06", "2004", b, c, "1", "1"]);
  await screenshot(page, "forecast-schedule-1280");

  // A schedule naming a team the dataset lacks is refused with its line.
  await page.getByLabel("Schedule CSV").setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from(`date,team1,team2\n2003-11-05,${a},NOPE\n`) });
  await page.getByRole("button", { name: "Forecast the schedule" }).click();
  await expect(page.getByTestId("field-error-schedule")).toContainText('Line 2 of the schedule: team "NOPE" is not in the games dataset');
});

test("the ensemble page shows calibration and log loss by season against Elo on its held-out games", async ({ page }) => {
  await open(page, `/ensembles/${setup.ensembleId}`);
  const card = page.getByTestId("holdout-card");
  await expect(card).toContainText("compared with the Elo forecast they carry (own_elo_prob1)");
  await expect(page.getByTestId("calibration-chart").locator(".recharts-line-curve").first()).toBeVisible();
  await expect(page.getByRole("img", { name: /^Calibration on \d+ held-out games: .* for the ensemble and for Elo \(the product's own\)/ })).toBeVisible();
  await expect(page.getByTestId("season-loss-chart").locator(".recharts-bar-rectangle")).toHaveCount(2);
  const seasons = page.getByTestId("season-loss-table").getByRole("row");
  await expect(seasons).toHaveCount(2);
  await expect(seasons.nth(1)).toContainText(/^2003\d+0\.\d{4}0\.\d{4}$/);
  await screenshot(page, "ensemble-holdout-1280");
});
