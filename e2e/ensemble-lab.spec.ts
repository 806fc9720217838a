import fs from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { artifactFile, createAndTrainModel, gamesCsv, listModels, open, reload, runJobFromPage, screenshot, trainViaApi } from "./support";

/**
 * The main journey, in order: each step builds on the data the previous one
 * left (one server and database per Playwright run).
 */
test.describe.configure({ mode: "serial" });

const DATASET = "e2e-games";
const DATASET_FILE = `${DATASET}.csv`;
const FEATURES = ["f1", "f2", "f3", "f4"];
let alphaUrl = "";
let ensembleUrl = "";

const artifactRow = (page: Page, kind: "model" | "scaler" | "features") => page.getByTestId(`artifact-row-${kind}`);

test("upload a CSV, create a model in the form, train it and see all three artifacts present", async ({ page }) => {
  await open(page, "/");
  await expect(page.getByTestId("getting-started")).toContainText("Upload a dataset");
  await screenshot(page, "overview-empty-1280");

  await open(page, "/datasets");
  await page.getByLabel("CSV file").setInputFiles({ name: "games.csv", mimeType: "text/csv", buffer: Buffer.from(gamesCsv()) });
  await expect(page.getByLabel("Dataset name")).toHaveValue("games");
  await page.getByLabel("Dataset name").fill("../outside");
  await page.getByRole("button", { name: "Upload CSV" }).click();
  await expect(page.getByTestId("field-error-upload-name")).toContainText("letters, digits");
  await expect(page.getByLabel("Dataset name")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("datasets-table")).toHaveCount(0);
  // The chosen file survives the refusal; only the name needs fixing.
  await page.getByLabel("Dataset name").fill(DATASET);
  await page.getByRole("button", { name: "Upload CSV" }).click();
  await expect(page.getByTestId("upload-result")).toContainText(`Saved ${DATASET_FILE}: 400 rows, 5 columns`);
  await expect(page.locator(`[data-testid=dataset-row][data-dataset="${DATASET_FILE}"]`)).toBeVisible();

  await open(page, "/models/new");
  await expect(page.getByLabel("Dataset", { exact: true })).toHaveValue(DATASET_FILE);
  await expect(page.getByLabel("Target column (0 or 1)")).toHaveValue("home_win");
  await page.getByLabel("Model name").fill("Alpha forest");
  const estimate = page.getByTestId("training-estimate");
  await expect(estimate).toContainText("Choose a dataset and at least one feature");
  for (const f of FEATURES) await page.getByRole("checkbox", { name: f, exact: true }).check();
  await expect(page.getByRole("checkbox", { name: /home_win/ })).toBeDisabled();
  await expect(page.getByLabel("Algorithm", { exact: true })).toHaveValue("random_forest");
  // Grown by the library's (quadratic) engine, so retraining it costs clearly more than loading its artifacts even on busy cores.
  await page.getByLabel("engine", { exact: true }).selectOption("ml-random-forest");
  await page.getByLabel("max_samples", { exact: true }).fill("400");
  await page.getByLabel("max_depth", { exact: true }).fill("6");
  await page.getByLabel("n_estimators", { exact: true }).fill("200");
  await expect(estimate).toContainText("Expected training time: about");
  const slower = await estimate.textContent();
  await page.getByLabel("n_estimators", { exact: true }).fill("60");
  await expect(estimate).not.toHaveText(slower ?? "");
  await expect(estimate).toContainText("400 rows × 4 features");

  await page.getByRole("button", { name: "Create model" }).click();
  await page.waitForURL(/\/models\/[a-f0-9]{24}$/);
  alphaUrl = new URL(page.url()).pathname;
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Alpha forest");
  await expect(page.getByTestId("model-status")).toHaveText(/untrained/);
  for (const kind of ["model", "scaler", "features"] as const) await expect(artifactRow(page, kind)).toHaveAttribute("data-status", "missing");

  await runJobFromPage(page, /^Train model$/);
  await expect(page.getByTestId("model-status")).toHaveText(/trained/);
  for (const kind of ["model", "scaler", "features"] as const) {
    await expect(artifactRow(page, kind)).toHaveAttribute("data-status", "present");
    await expect(artifactRow(page, kind).getByTestId(`artifact-status-${kind}`)).toHaveText(/present/);
    await expect(page.getByTestId(`artifact-path-${kind}`)).toHaveText(new RegExp(`_${kind}\\.json$`));
  }
  await expect(page.getByTestId("run-id")).not.toHaveText("—");
  await expect(page.getByTestId("history-row")).toHaveCount(1);
  await expect(page.getByTestId("metrics")).toContainText("Accuracy");
});

test("an artifact file deleted on disk shows as missing after a reload", async ({ page, request }) => {
  await open(page, alphaUrl);
  const recorded = (await page.getByTestId("artifact-path-model").textContent())?.trim() ?? "";
  const fromApi = (await listModels(request)).find((m) => m.name === "Alpha forest");
  expect(fromApi?.model_artifact_path).toBe(recorded);
  await fs.rm(artifactFile(recorded));

  await reload(page);
  await expect(artifactRow(page, "model")).toHaveAttribute("data-status", "missing");
  await expect(artifactRow(page, "model").getByTestId("artifact-status-model")).toHaveText(/missing/);
  await expect(artifactRow(page, "scaler")).toHaveAttribute("data-status", "present");
  await expect(artifactRow(page, "features")).toHaveAttribute("data-status", "present");

  await open(page, "/");
  const row = page.locator('[data-testid=model-row][data-model="Alpha forest"]');
  await expect(row.getByTestId("artifact-status-model")).toHaveText(/model: missing/);
  await expect(row.getByTestId("artifact-status-scaler")).toHaveText(/scaler: present/);
});

test("an ensemble build retrains the model without artifacts, loads the others, and charts the times", async ({ page, request }) => {
  const common = { target: "home_win", training_csv: DATASET_FILE };
  await createAndTrainModel(request, { ...common, name: "Beta logistic", algorithm: "logistic_regression", features: FEATURES, hyperparameters: { max_iter: 50 } });
  await createAndTrainModel(request, {
    ...common,
    name: "Gamma forest",
    algorithm: "random_forest",
    features: ["f1", "f2"],
    hyperparameters: { n_estimators: 8, max_samples: 150, max_depth: 5 },
  });

  await open(page, "/ensembles/new");
  for (const name of ["Alpha forest", "Beta logistic", "Gamma forest"]) await page.getByRole("checkbox", { name }).check();
  await page.getByLabel("Ensemble name").fill("Trio");
  await expect(page.getByLabel("Meta training dataset")).toHaveValue(DATASET_FILE);
  await page.getByRole("button", { name: "Create ensemble" }).click();
  await page.waitForURL(/\/ensembles\/[a-f0-9]{24}$/);
  ensembleUrl = new URL(page.url()).pathname;
  await expect(page.getByTestId("speedup")).toHaveAttribute("data-kind", "no_runs");

  await runJobFromPage(page, /^Build ensemble$/);
  const latest = page.getByTestId("run-row").first();
  await expect(latest).toBeVisible();
  const base = (name: string) => latest.locator(`[data-testid=run-base][data-model="${name}"]`);
  await expect(base("Alpha forest")).toHaveAttribute("data-source", "retrained");
  await expect(base("Alpha forest").getByTestId("run-base-source")).toHaveText(/retrained/);
  await expect(base("Beta logistic")).toHaveAttribute("data-source", "artifact");
  await expect(base("Gamma forest")).toHaveAttribute("data-source", "artifact");
  await expect(page.getByTestId("speedup")).toHaveAttribute("data-kind", "latest_retrained");

  const chart = page.getByTestId("timing-chart");
  await expect(chart.locator("svg").first()).toBeVisible();
  await expect(chart.locator(".recharts-bar-rectangle").first()).toBeVisible();

  await runJobFromPage(page, /^Build again$/);
  await expect(page.getByTestId("run-row")).toHaveCount(2);
  await expect(page.getByTestId("run-row").first().locator('[data-testid=run-base][data-source="retrained"]')).toHaveCount(0);
  await expect(page.getByTestId("speedup")).toHaveAttribute("data-kind", "compared");
  await expect(page.getByTestId("speedup")).toContainText(/Latest build [\d.]+× faster than the last build that retrained \([\d.]+ m?s vs [\d.]+ m?s\)/);

  await open(page, alphaUrl);
  await expect(artifactRow(page, "model")).toHaveAttribute("data-status", "present");
  await expect(page.getByTestId("history-row")).toHaveCount(2);
});

test("retraining a base model flags the ensemble stale, and Rebuild clears it", async ({ page, request }) => {
  const beta = (await listModels(request)).find((m) => m.name === "Beta logistic");
  await trainViaApi(request, beta!.id);

  await open(page, "/");
  await expect(page.locator('[data-testid=ensemble-row][data-ensemble="Trio"]').getByTestId("stale-flag")).toBeVisible();
  await expect(page.getByTestId("stale-summary")).toBeVisible();

  await open(page, ensembleUrl);
  await expect(page.getByTestId("stale-flag")).toBeVisible();
  await expect(page.getByTestId("stale-alert")).toContainText("Beta logistic was retrained");
  await runJobFromPage(page, /^Rebuild ensemble$/);
  await expect(page.getByTestId("stale-flag")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Build again" })).toBeVisible();
});

test("a model form with bad values shows each message next to its field and creates nothing", async ({ page, request }) => {
  const before = (await listModels(request)).length;
  await open(page, "/models/new");
  await page.getByLabel("Model name").fill("Delta");
  await page.getByRole("checkbox", { name: "f1", exact: true }).check();
  const trees = page.getByLabel("n_estimators", { exact: true });
  await trees.fill("0");
  await expect(page.getByTestId("training-estimate")).toContainText("within its range");
  await page.getByRole("button", { name: "Create model" }).click();

  const treesError = page.getByTestId("field-error-hyperparameters.n_estimators");
  await expect(treesError).toContainText("n_estimators must be a whole number from 1");
  await expect(trees).toHaveAttribute("aria-invalid", "true");
  await expect(trees).toHaveAttribute("aria-describedby", new RegExp(`\\b${await treesError.getAttribute("id")}\\b`));
  await expect(trees).toBeFocused();
  await expect(page.getByTestId("form-error")).toBeVisible();
  // What was typed is still there.
  await expect(trees).toHaveValue("0");
  await expect(page.getByLabel("Model name")).toHaveValue("Delta");
  await expect(page.getByRole("checkbox", { name: "f1", exact: true })).toBeChecked();
  expect((await listModels(request)).length).toBe(before);
  await screenshot(page, "model-form-errors-1280");

  await trees.fill("10");
  await page.getByRole("checkbox", { name: "f1", exact: true }).uncheck();
  await page.getByRole("button", { name: "Create model" }).click();
  await expect(page.getByTestId("field-error-features")).toContainText("choose at least one feature");
  await expect(treesError).toHaveCount(0);
  expect((await listModels(request)).length).toBe(before);

  await page.getByRole("checkbox", { name: "f1", exact: true }).check();
  await page.getByLabel("Model name").fill("Alpha forest");
  await page.getByRole("button", { name: "Create model" }).click();
  await expect(page.getByTestId("field-error-name")).toContainText("this name is taken");
  await expect(page.getByLabel("Model name")).toBeFocused();
  expect((await listModels(request)).length).toBe(before);
  await expect(page).toHaveURL(/\/models\/new$/);

  // A CSV uploaded from inside the form becomes the chosen dataset, and the estimate follows its size.
  await page.getByText("Upload a new CSV").click();
  await page.getByLabel("CSV file").setInputFiles({ name: "small.csv", mimeType: "text/csv", buffer: Buffer.from(gamesCsv(120, 11)) });
  await expect(page.getByLabel("Dataset name")).toHaveValue("small");
  await page.getByLabel("Dataset name").fill("e2e-small");
  await page.getByRole("button", { name: "Upload CSV" }).click();
  await expect(page.getByLabel("Dataset", { exact: true })).toHaveValue("e2e-small.csv");
  await expect(page.getByTestId("training-estimate")).toContainText("120 rows × 1 feature,");
  await expect(page.getByLabel("Model name")).toHaveValue("Alpha forest");
  expect((await listModels(request)).length).toBe(before);
});

test("editing keeps a model's settings; deleting asks first, refuses a model an ensemble uses, else returns to the list", async ({ page, request }) => {
  const created = await request.post("/api/models", {
    data: { name: "Throwaway", algorithm: "logistic_regression", features: ["f1"], target: "home_win", training_csv: DATASET_FILE },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const before = (await listModels(request)).length;

  await open(page, alphaUrl);
  await page.getByRole("button", { name: "Delete model…" }).click();
  await page.getByRole("button", { name: "Yes, delete model" }).click();
  await expect(page.getByTestId("delete-error")).toContainText('used by the ensemble "Trio"');

  await open(page, `/models/${id}/edit`);
  await expect(page.getByLabel("Model name")).toHaveValue("Throwaway");
  await expect(page.getByLabel("Algorithm", { exact: true })).toHaveValue("logistic_regression");
  await expect(page.getByRole("checkbox", { name: "f1", exact: true })).toBeChecked();
  await page.getByLabel("Model name").fill("Throwaway two");
  await page.getByRole("checkbox", { name: "f2", exact: true }).check();
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.waitForURL(new RegExp(`/models/${id}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Throwaway two");
  await expect(page.getByTestId("model-features")).toHaveText("f1, f2");

  await page.getByRole("button", { name: "Delete model…" }).click();
  await expect(page.getByTestId("delete-confirm")).toContainText("Delete the model Throwaway two?");
  await expect(page.getByRole("button", { name: "Yes, delete model" })).toBeFocused();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("delete-confirm")).toHaveCount(0);
  expect((await listModels(request)).length).toBe(before);

  await page.getByRole("button", { name: "Delete model…" }).click();
  await page.getByRole("button", { name: "Yes, delete model" }).click();
  await page.waitForURL(/\/models$/);
  await expect(page.locator('[data-testid=model-row][data-model="Throwaway two"]')).toHaveCount(0);
  await expect(page.locator('[data-testid=model-row][data-model="Alpha forest"]')).toBeVisible();
  expect((await listModels(request)).length).toBe(before - 1);
});

test("screenshots of the overview, a model and an ensemble at 1280 and 390 px", async ({ page }) => {
  const pages = [
    { name: "overview", url: "/" },
    { name: "model-detail", url: alphaUrl },
    { name: "ensemble", url: ensembleUrl },
    { name: "model-form", url: "/models/new" },
    { name: "datasets", url: "/datasets" },
  ];
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    for (const p of pages) {
      await open(page, p.url);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      if (p.name === "ensemble") await expect(page.getByTestId("timing-chart").locator("svg").first()).toBeVisible();
      // Wide tables scroll inside their own box; the page itself never scrolls sideways.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${p.name} at ${width}px scrolls sideways`).toBeLessThanOrEqual(0);
      await screenshot(page, `${p.name}-${width}`);
    }
  }
  // Hydration mismatches and client-side exceptions show up here.
  expect(problems).toEqual([]);
});
