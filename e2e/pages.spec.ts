import { expect, test, type Page } from "@playwright/test";
import { createAndBuildEnsemble, createAndTrainModel, gamesCsv, open, setUpForecasting, uploadCsvViaApi } from "./support";

/**
 * Visits every page of the dashboard and fails on any console error or any
 * failed request (a 404 favicon, a broken chunk, a crashed server component),
 * the kind of fault no assertion on the page's content notices.
 */
const RUN = Date.now().toString(36);

interface Problems {
  console: string[];
  requests: string[];
}

function watch(page: Page, expectedStatus: Map<string, number>): Problems {
  const problems: Problems = { console: [], requests: [] };
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    // Chromium reports a page's own intended 404 status as a console error too.
    const where = msg.location().url ? new URL(msg.location().url).pathname : "";
    const intended = expectedStatus.get(where);
    if (intended !== undefined && msg.text().includes(`status of ${intended}`)) return;
    problems.console.push(`${page.url()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.console.push(`${page.url()}: uncaught ${err.message}`));
  page.on("requestfailed", (req) => {
    // A navigation away cancels the previous page's pending fetches; that is not a fault.
    if (req.failure()?.errorText !== "net::ERR_ABORTED") problems.requests.push(`${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  page.on("response", (res) => {
    const path = new URL(res.url()).pathname;
    const expected = res.request().isNavigationRequest() ? (expectedStatus.get(path) ?? 200) : 200;
    if (res.status() >= 400 && res.status() !== expected) problems.requests.push(`${res.request().method()} ${res.url()}: ${res.status()}`);
  });
  return problems;
}

test("every page loads with no console error and no failed request", async ({ page, request }) => {
  const dataset = await uploadCsvViaApi(request, `pages-${RUN}`, gamesCsv(200, 31));
  const common = { algorithm: "logistic_regression", target: "home_win", training_csv: dataset };
  const first = await createAndTrainModel(request, { ...common, name: `pages-${RUN}-a`, features: ["f1", "f2"] });
  const second = await createAndTrainModel(request, { ...common, name: `pages-${RUN}-b`, features: ["f3", "f4"] });
  const ensemble = await createAndBuildEnsemble(request, {
    name: `pages-${RUN}-stack`,
    base_model_ids: [first.id, second.id],
    meta_model_type: "logistic_regression",
    meta_training_csv: dataset,
  });
  const forecasting = await setUpForecasting(request, `pages-${RUN}-fc`);

  const missing = "/no-such-page";
  const missingModel = "/models/000000000000000000000000";
  const pages = [
    "/",
    "/models",
    "/models/new",
    `/models/${first.id}`,
    `/models/${first.id}/edit`,
    "/ensembles",
    "/ensembles/new",
    `/ensembles/${ensemble.id}`,
    `/ensembles/${forecasting.ensembleId}`,
    "/forecast",
    "/datasets",
    "/settings/users",
    "/settings/tokens",
    missing,
    missingModel,
  ];
  const problems = watch(
    page,
    new Map([
      [missing, 404],
      [missingModel, 404],
    ]),
  );
  for (const url of pages) {
    await open(page, url);
    await expect(page.getByRole("heading", { level: 1 }).first(), url).toBeVisible();
  }
  // The Forecast page's answers draw charts and tables only after a forecast; they must not log errors either.
  await open(page, "/forecast");
  await page.getByLabel("Ensemble", { exact: true }).selectOption({ label: forecasting.ensembleName });
  await page.getByLabel("Games dataset", { exact: true }).selectOption(forecasting.gamesPath);
  await page.getByRole("button", { name: "Forecast", exact: true }).click();
  await expect(page.getByTestId("probability-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
  await page.getByLabel("Schedule CSV").setInputFiles({
    name: "schedule.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(`date,team1,team2\n${forecasting.lastDate},${forecasting.teams[0]},${forecasting.teams[1]}\n`),
  });
  await page.getByRole("button", { name: "Forecast the schedule" }).click();
  await expect(page.getByTestId("schedule-row")).toHaveCount(1);

  // The browser asks for the icon on its own; it must be served, not 404.
  const icon = await request.get("/favicon.ico");
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toMatch(/icon/);
  const manifest = await request.get("/manifest.webmanifest");
  expect(((await manifest.json()) as { icons: unknown[] }).icons.length).toBeGreaterThan(1);

  expect(problems.console, "console errors").toEqual([]);
  expect(problems.requests, "failed requests").toEqual([]);
});
