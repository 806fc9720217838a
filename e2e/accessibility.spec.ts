import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { STATE, createAndBuildEnsemble, createAndTrainModel, gamesCsv, open, runJobFromPage, setUpForecasting, trainViaApi, uploadCsvViaApi, type ForecastingSetup } from "./support";

/**
 * WCAG 2.1 A/AA checks (axe-core) on every dashboard page at a desktop and a
 * phone width, plus the keyboard path a sighted keyboard user takes first.
 * The data comes from the JSON API, under names no other spec uses.
 */
test.describe.configure({ mode: "serial" });

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const WIDTHS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
] as const;

/** A suffix per run, so repeated runs against one server never share a name. */
const RUN = Date.now().toString(36);
const NAMES = { dataset: `a11y-${RUN}-games`, first: `a11y-${RUN}-logit-one`, second: `a11y-${RUN}-logit-two`, ensemble: `a11y-${RUN}-pair` };
let modelUrl = "";
let versionedUrl = "";
let ensembleUrl = "";
let forecasting: ForecastingSetup;

type Results = Awaited<ReturnType<AxeBuilder["analyze"]>>;

/** One readable block per violation: rule, impact, what to do, and the offending nodes. */
function describeViolations(where: string, violations: Results["violations"]): string[] {
  return violations.map((v) => {
    const nodes = v.nodes
      .slice(0, 8)
      .map((n) => `      ${n.target.join(" ")}\n        ${(n.failureSummary ?? "").split("\n").join("\n        ")}`)
      .join("\n");
    const more = v.nodes.length > 8 ? `\n      … and ${v.nodes.length - 8} more` : "";
    return `${where}: ${v.id} [${v.impact ?? "unknown"}] ${v.help} (${v.helpUrl})\n${nodes}${more}`;
  });
}

async function audit(page: Page, where: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return describeViolations(where, results.violations);
}

async function buildState(request: APIRequestContext): Promise<void> {
  const dataset = await uploadCsvViaApi(request, NAMES.dataset, gamesCsv(160, 23));
  const common = { algorithm: "logistic_regression", target: "home_win", training_csv: dataset, hyperparameters: { max_iter: 30 } };
  const first = await createAndTrainModel(request, { ...common, name: NAMES.first, features: ["f1", "f2", "f3", "f4"] });
  const second = await createAndTrainModel(request, { ...common, name: NAMES.second, features: ["f1", "f2"] });
  const ensemble = await createAndBuildEnsemble(request, {
    name: NAMES.ensemble,
    base_model_ids: [first.id, second.id],
    meta_model_type: "logistic_regression",
    meta_training_csv: dataset,
  });
  modelUrl = `/models/${first.id}`;
  ensembleUrl = `/ensembles/${ensemble.id}`;
  // A model no ensemble uses, trained on other settings the second time: two versions, a chart and a comparison.
  const versioned = await createAndTrainModel(request, { ...common, name: `a11y-${RUN}-versioned`, features: ["f1", "f2", "f3"] });
  const changed = await request.patch(`/api/models/${versioned.id}`, { data: { features: ["f1", "f3"] } });
  expect(changed.status(), await changed.text()).toBe(200);
  await trainViaApi(request, versioned.id);
  versionedUrl = `/models/${versioned.id}`;
  forecasting = await setUpForecasting(request, `a11y-${RUN}-fc`);
}

/** Leaves the Forecast page showing one game's answer (chart, table, features) and a schedule's. */
async function forecastFromPage(page: Page): Promise<void> {
  await open(page, "/forecast");
  await page.getByLabel("Ensemble", { exact: true }).selectOption({ label: forecasting.ensembleName });
  await page.getByLabel("Games dataset", { exact: true }).selectOption(forecasting.gamesPath);
  await page.getByRole("button", { name: "Forecast", exact: true }).click();
  await expect(page.getByTestId("probability-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
  await page.getByText("Features the models were given").click();
  await page.getByLabel("Schedule CSV").setInputFiles({
    name: "schedule.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(`date,team1,team2\n${forecasting.lastDate},${forecasting.teams[0]},${forecasting.teams[1]}\n`),
  });
  await page.getByRole("button", { name: "Forecast the schedule" }).click();
  await expect(page.getByTestId("schedule-row")).toHaveCount(1);
}

test.beforeAll(async ({ playwright }, testInfo) => {
  const request = await playwright.request.newContext({ baseURL: testInfo.project.use.baseURL });
  try {
    await buildState(request);
  } finally {
    await request.dispose();
  }
});

/** Leaves the model form showing field errors from a refused submit (an out-of-range hyperparameter). */
async function submitModelFormWithErrors(page: Page): Promise<void> {
  await open(page, "/models/new");
  await page.getByLabel("Dataset", { exact: true }).selectOption(`${NAMES.dataset}.csv`);
  await page.getByLabel("Model name").fill(`${NAMES.first}-refused`);
  await page.getByRole("checkbox", { name: "f1", exact: true }).check();
  await page.getByLabel("n_estimators", { exact: true }).fill("0");
  await page.getByRole("button", { name: "Create model" }).click();
  await expect(page.getByTestId("field-error-hyperparameters.n_estimators")).toBeVisible();
  await expect(page.getByTestId("form-error")).toBeVisible();
}

for (const size of WIDTHS) {
  test(`every page passes axe WCAG 2.1 A/AA checks at ${size.width}px`, async ({ page, browser }) => {
    await page.setViewportSize(size);
    const problems: string[] = [];
    const pages = [
      { name: "overview", url: "/" },
      { name: "models", url: "/models" },
      { name: "new model form", url: "/models/new" },
      { name: "model detail", url: modelUrl },
      { name: "model detail with two versions", url: versionedUrl },
      { name: "ensembles", url: "/ensembles" },
      { name: "new ensemble form", url: "/ensembles/new" },
      { name: "ensemble detail", url: ensembleUrl },
      { name: "ensemble detail with calibration by season", url: `/ensembles/${forecasting.ensembleId}` },
      { name: "forecast", url: "/forecast" },
      { name: "datasets", url: "/datasets" },
    ];
    for (const p of pages) {
      await open(page, p.url);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      if (p.name === "ensemble detail") await expect(page.getByTestId("timing-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
      if (p.name.startsWith("ensemble detail with")) await expect(page.getByTestId("season-loss-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
      // Record pages are titled after the record (WCAG 2.4.2), not "Model" for every model.
      if (p.name === "model detail") await expect(page).toHaveTitle(`${NAMES.first} · Models · NBA Ensemble Lab`);
      if (p.name === "model detail with two versions") {
        await expect(page.getByRole("img", { name: /^Log loss and AUC across 2 versions, oldest first\./ })).toBeVisible();
        await expect(page.getByTestId("diff-row").filter({ hasText: "Features" })).toHaveAttribute("data-differs", "true");
      }
      if (p.name === "ensemble detail") await expect(page).toHaveTitle(`${NAMES.ensemble} · Ensembles · NBA Ensemble Lab`);
      problems.push(...(await audit(page, `${p.name} (${p.url})`)));
      // Reflow (WCAG 1.4.10): wide tables scroll in their own box, never the page.
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (sideways > 0) problems.push(`${p.name} (${p.url}): the page scrolls sideways by ${sideways}px at ${size.width}px wide (WCAG 1.4.10 Reflow)`);
    }

    // Pages of other roles and of visitors who are not signed in.
    const signedOut = { cookies: [], origins: [] };
    const others: Array<[string | typeof signedOut, Array<{ name: string; url: string }>]> = [
      [STATE.admin, [{ name: "users", url: "/settings/users" }, { name: "API tokens", url: "/settings/tokens" }]],
      [signedOut, [{ name: "sign-in", url: "/sign-in" }, { name: "used sign-up link", url: "/setup?token=used" }]],
    ];
    for (const [state, list] of others) {
      const other = await browser.newContext({ storageState: state, viewport: size });
      const otherPage = await other.newPage();
      for (const p of list) {
        await open(otherPage, p.url);
        await expect(otherPage.getByRole("heading", { level: 1 })).toBeVisible();
        problems.push(...(await audit(otherPage, `${p.name} (${p.url})`)));
      }
      await other.close();
    }

    // States that only appear after an interaction: a forecast's answers, a refused form, a finished job's progress bar, a delete confirmation.
    await forecastFromPage(page);
    problems.push(...(await audit(page, "forecast with one game's and a schedule's answers")));
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (sideways > 0) problems.push(`forecast answers: the page scrolls sideways by ${sideways}px at ${size.width}px wide (WCAG 1.4.10 Reflow)`);

    await submitModelFormWithErrors(page);
    problems.push(...(await audit(page, "model form after a refused submit")));

    await open(page, modelUrl);
    await runJobFromPage(page, /^Train again$/);
    problems.push(...(await audit(page, "model detail with a finished job's progress bar")));
    await page.getByRole("button", { name: "Delete model…" }).click();
    await expect(page.getByTestId("delete-confirm")).toBeVisible();
    problems.push(...(await audit(page, "model detail asking to confirm a delete")));

    expect(problems, `${problems.length} accessibility violation(s) at ${size.width}px:\n\n${problems.join("\n\n")}\n`).toEqual([]);
  });
}

test("keyboard: the skip link comes first, reaches main, and Tab then Enter opens the new model form with a visible focus ring", async ({ page }) => {
  await open(page, "/");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#main")).toBeFocused();

  // Onwards from main, in document order, until the overview's "New model" link.
  const newModel = page.getByRole("main").getByRole("link", { name: "New model", exact: true });
  let reached = false;
  const visited: string[] = [];
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press("Tab");
    reached = await newModel.evaluate((el) => el === document.activeElement);
    visited.push(await page.evaluate(() => document.activeElement?.textContent?.trim().slice(0, 40) || document.activeElement?.tagName || "?"));
  }
  expect(reached, `Tab never reached "New model"; focus went through: ${visited.join(" → ")}`).toBe(true);

  const ring = await newModel.evaluate((el) => {
    const s = getComputedStyle(el);
    return { outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth), boxShadow: s.boxShadow };
  });
  const visible = (ring.outlineStyle !== "none" && ring.outlineWidth > 0) || ring.boxShadow !== "none";
  expect(visible, `focused "New model" has no visible focus indicator: ${JSON.stringify(ring)}`).toBe(true);

  await page.keyboard.press("Enter");
  await page.waitForURL(/\/models\/new$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("New model");
});

test("the build-time chart is one named image, its numbers are in a table, and it is not a tab stop", async ({ page }) => {
  await open(page, ensembleUrl);
  const chart = page.getByTestId("timing-chart");
  await expect(chart.locator(".recharts-bar-rectangle").first()).toBeVisible();
  await expect(page.getByRole("img", { name: /^Build time per build, 1 build\. Latest: .+ in total, 0 of 2 base models retrained\./ })).toBeVisible();

  const table = page.getByRole("table", { name: /^Build times per build/ });
  await expect(table.getByRole("columnheader")).toHaveText(["Build", NAMES.first, NAMES.second, "Meta-model fit", "Total"]);
  await expect(table.getByRole("row")).toHaveCount(2);
  await expect(table.getByRole("row").nth(1)).toContainText(/#1.*ms, from artifacts.*ms, from artifacts/);

  // Nothing inside the picture takes keyboard focus: from the build button, Tab goes straight past it.
  expect(await chart.evaluate((el) => [...el.querySelectorAll("[tabindex]")].filter((n) => (n as HTMLElement).tabIndex >= 0).length)).toBe(0);
  await page.getByRole("button", { name: /^(Build again|Rebuild ensemble)$/ }).focus();
  await page.keyboard.press("Tab");
  expect(await chart.evaluate((el) => el.contains(document.activeElement))).toBe(false);
  await expect(page.getByRole("region", { name: "Ensemble builds" })).toBeFocused();
});

test("form fields' edges contrast 3:1 with the page (WCAG 1.4.11)", async ({ page }) => {
  await open(page, "/models/new");
  const weak = await page.locator("main input:not([type=checkbox]):not([type=hidden]), main select").evaluateAll((fields) => {
    // Tailwind 4 colours compute as oklch(); a canvas pixel turns any CSS colour into sRGB bytes.
    const pixel = document.createElement("canvas").getContext("2d", { willReadFrequently: true })!;
    const channel = (v: number) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
    const luminance = (colour: string) => {
      pixel.clearRect(0, 0, 1, 1);
      pixel.fillStyle = colour;
      pixel.fillRect(0, 0, 1, 1);
      const [r, g, b] = pixel.getImageData(0, 0, 1, 1).data;
      return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    };
    const ratio = (a: string, b: string) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (hi + 0.05) / (lo + 0.05);
    };
    /** The first opaque background behind an element. */
    const backdrop = (el: Element | null): string => {
      for (let n = el; n; n = n.parentElement) {
        const bg = getComputedStyle(n).backgroundColor;
        if (bg !== "transparent" && bg !== "rgba(0, 0, 0, 0)") return bg;
      }
      return "rgb(255, 255, 255)";
    };
    return fields
      .map((f) => ({ id: f.id, ratio: ratio(getComputedStyle(f).borderTopColor, backdrop(f.parentElement)) }))
      .filter((f) => f.ratio < 3)
      .map((f) => `${f.id}: ${f.ratio.toFixed(2)}:1`);
  });
  expect(weak, `fields whose border is below 3:1 against the page:\n${weak.join("\n")}`).toEqual([]);
});
