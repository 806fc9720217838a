import fs from "node:fs/promises";
import path from "node:path";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { SCREENSHOT_DIR, STATE, createAndBuildEnsemble, createAndTrainModel, gamesCsv, listModels, open, runJobFromPage, screenshot, uploadCsvViaApi } from "./support";

/**
 * Versions on the model page, in order: a retrain adds a version, an earlier
 * one is made current again (its ensemble goes stale until rebuilt), two
 * versions are compared, and a version's archive is downloaded, refused while
 * its name and run are here, and restored after the model is deleted.
 */
test.describe.configure({ mode: "serial" });

const RUN = Date.now().toString(36);
const ALPHA = `Ver alpha ${RUN}`;
const ROWS = [
  { f1: 0.4, f2: -0.1, f3: 1.5 },
  { f1: -0.6, f2: 0.5, f3: -2 },
];
let alphaId = "";
let ensembleId = "";
let firstRun = "";
let secondRun = "";
let secondPredictions: number[] = [];
let archivePath = "";

const row = (page: Page, runId: string) => page.locator(`[data-testid=history-row][data-run="${runId}"]`);

async function predict(request: APIRequestContext, modelId: string): Promise<number[]> {
  const res = await request.post(`/api/models/${modelId}/predict`, { data: { rows: ROWS } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { probabilities: number[] }).probabilities;
}

test.beforeAll(async ({ playwright, baseURL }) => {
  const api = await playwright.request.newContext({ baseURL, storageState: STATE.editor });
  const dataset = await uploadCsvViaApi(api, `ver-${RUN}`, gamesCsv(300, 23));
  const common = { algorithm: "logistic_regression", target: "home_win", training_csv: dataset };
  alphaId = (await createAndTrainModel(api, { ...common, name: ALPHA, features: ["f1", "f2", "f3", "f4"] })).id;
  const beta = await createAndTrainModel(api, { ...common, name: `Ver beta ${RUN}`, features: ["f1", "f2"] });
  ensembleId = (await createAndBuildEnsemble(api, { name: `Ver stack ${RUN}`, base_model_ids: [alphaId, beta.id], meta_training_csv: dataset })).id;
  firstRun = ((await (await api.get(`/api/models/${alphaId}`)).json()) as { run_id: string }).run_id;
  // The next run trains on fewer features, so the two versions differ in settings too.
  const changed = await api.patch(`/api/models/${alphaId}`, { data: { features: ["f1", "f2", "f3"] } });
  expect(changed.status(), await changed.text()).toBe(200);
  await api.dispose();
});

test("retrain a model, see two versions, compare them, make the first current again, and rebuild its stale ensemble", async ({ page, request }) => {
  await open(page, `/models/${alphaId}`);
  await expect(page.getByTestId("history-row")).toHaveCount(1);
  await expect(row(page, firstRun)).toHaveAttribute("data-current", "true");

  await runJobFromPage(page, /^Train again$/);
  await expect(page.getByTestId("history-row")).toHaveCount(2);
  secondRun = (await page.getByTestId("run-id").textContent())?.trim() ?? "";
  expect(secondRun).not.toBe(firstRun);
  await expect(row(page, secondRun)).toHaveAttribute("data-current", "true");
  await expect(row(page, firstRun)).toHaveAttribute("data-current", "false");
  secondPredictions = await predict(request, alphaId);

  // Each version: AUC, size, a download; the chart is one named image over both.
  for (const run of [firstRun, secondRun]) {
    await expect(row(page, run).getByTestId("version-auc")).toHaveText(/^0\.\d{3}$/);
    await expect(row(page, run).getByTestId("version-size")).toHaveText(/^\d+(\.\d)? (B|KB|MB)$/);
    await expect(row(page, run).getByRole("link", { name: `Download run ${run}` })).toHaveAttribute("href", `/api/models/${alphaId}/versions/${run}/bundle`);
  }
  await expect(page.getByRole("img", { name: /Log loss and AUC across 2 versions/ })).toBeVisible();
  await expect(page.getByTestId("versions-chart")).toHaveAttribute("data-points", "2");

  // The comparison: first against second, through its GET form.
  const compare = page.getByRole("form", { name: "Compare two versions" });
  await compare.getByLabel("Version A").selectOption(firstRun);
  await compare.getByLabel("Version B").selectOption(secondRun);
  await compare.getByRole("button", { name: "Compare" }).click();
  await page.waitForURL(new RegExp(`\\?a=${firstRun}&b=${secondRun}$`));
  const diffRow = (label: string) => page.getByTestId("diff-row").filter({ has: page.getByRole("rowheader", { name: label, exact: true }) });
  await expect(diffRow("Features")).toHaveAttribute("data-differs", "true");
  await expect(diffRow("Features")).toContainText("f1, f2, f3, f4");
  await expect(diffRow("Features")).toContainText("differs");
  await expect(diffRow("Dataset")).toHaveAttribute("data-differs", "false");
  await expect(diffRow("Calibration")).toHaveAttribute("data-differs", "false");
  await screenshot(page, "model-versions-1280");

  // Roll back.
  // The row's form gives way to the "current" badge once the page refreshes.
  await row(page, firstRun).getByRole("button", { name: "Make current" }).click();
  await expect(row(page, firstRun)).toHaveAttribute("data-current", "true");
  await expect(row(page, secondRun)).toHaveAttribute("data-current", "false");
  await expect(row(page, secondRun).getByRole("button", { name: "Make current" })).toBeVisible();
  await expect(page.getByTestId("run-id")).toHaveText(firstRun);
  await expect(page.getByTestId("promotions")).toContainText(`from ${secondRun} to ${firstRun}`);

  await open(page, `/ensembles/${ensembleId}`);
  await expect(page.getByTestId("stale-flag")).toBeVisible();
  await expect(page.getByTestId("stale-alert")).toBeVisible();
  await runJobFromPage(page, /^Rebuild ensemble$/);
  await expect(page.getByTestId("stale-flag")).toHaveCount(0);
  const rebuilt = (await (await request.get(`/api/ensembles/${ensembleId}`)).json()) as { stale: boolean };
  expect(rebuilt.stale).toBe(false);
});

test("download a version's archive; importing it here is refused while its name and run are here, and restores the model once deleted", async ({ page, request }) => {
  await open(page, `/models/${alphaId}`);
  const downloading = page.waitForEvent("download");
  await row(page, secondRun).getByRole("link", { name: `Download run ${secondRun}` }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(new RegExp(`-${secondRun}\\.bundle\\.zip$`));
  await fs.mkdir(SCREENSHOT_DIR, { recursive: true });
  archivePath = path.join(SCREENSHOT_DIR, "..", `version-${RUN}.bundle.zip`);
  await download.saveAs(archivePath);
  expect((await fs.readFile(archivePath)).subarray(0, 4).toString("latin1")).toBe("PK\u0003\u0004");

  const models = (await listModels(request)).length;
  const importForm = async (name?: string) => {
    await open(page, "/models");
    const form = page.getByRole("form", { name: "Import a bundle" });
    await form.getByLabel("Bundle file").setInputFiles(archivePath);
    if (name) await form.getByLabel("Import as (optional)").fill(name);
    await form.getByRole("button", { name: "Import" }).click();
    return form;
  };
  // Its name is taken here: refused, saying so.
  let form = await importForm();
  await expect(form.getByText(`A model named "${ALPHA}" already exists here`)).toBeVisible();
  // Under another name its run is still here: refused, naming the model that has it.
  form = await importForm(`Ver copy ${RUN}`);
  await expect(form.getByText(`Run ${secondRun} is already here as a version of model "${ALPHA}"`)).toBeVisible();
  expect((await listModels(request)).length).toBe(models);

  // The model is lost (its ensemble first): the archive brings that version back, predicting as before.
  expect((await request.delete(`/api/ensembles/${ensembleId}`)).status()).toBe(200);
  expect((await request.delete(`/api/models/${alphaId}`)).status()).toBe(200);
  form = await importForm();
  await expect(form.getByText(`Imported "${ALPHA}" (run ${secondRun}).`)).toBeVisible();
  const restored = (await listModels(request)).find((m) => m.name === ALPHA);
  expect(restored).toBeDefined();
  expect(await predict(request, restored!.id)).toEqual(secondPredictions);
  await open(page, `/models/${restored!.id}`);
  await expect(page.getByTestId("history-row")).toHaveCount(1);
  await expect(row(page, secondRun)).toHaveAttribute("data-current", "true");
  await expect(row(page, secondRun)).toContainText("bundle import");
});
