import { expect, test } from "@playwright/test";
import { STATE, createAndBuildEnsemble, createAndTrainModel, gamesCsv, open, trainViaApi, uploadCsvViaApi } from "./support";

/**
 * The web server answers predictions asked with an API token from the route's
 * handler without Next.js's request handling (scripts/serve.ts), and those asked
 * with a session through Next.js. Next.js marks every answer it makes with a
 * `Vary: rsc, ...` header, so the header tells the two apart. Both must answer
 * alike; an ensemble whose base model the worker has just retrained must be
 * refused; and a token revoked on the Tokens page (a server action, inside
 * Next.js) must be refused by the very next direct request: one module, one cache.
 */
const RUN = Date.now().toString(36);
const ROWS = [
  { f1: 0.4, f2: -0.1, f3: 1.5, f4: 0 },
  { f1: -0.6, f2: 0.5, f3: -2, f4: 1 },
];

test("token predictions skip the framework, answer as session ones do, refuse a stale ensemble at once, and stop the moment the token is revoked", async ({ browser, request, playwright, baseURL }) => {
  const dataset = await uploadCsvViaApi(request, `serve-${RUN}`, gamesCsv(300, 31));
  const common = { algorithm: "logistic_regression", target: "home_win", training_csv: dataset, features: ["f1", "f2", "f3", "f4"] };
  const model = await createAndTrainModel(request, { ...common, name: `Serve a ${RUN}` });
  const other = await createAndTrainModel(request, { ...common, name: `Serve b ${RUN}`, features: ["f1", "f2"] });
  const ensemble = await createAndBuildEnsemble(request, { name: `Serve stack ${RUN}`, base_model_ids: [model.id, other.id], meta_training_csv: dataset });

  const admin = await browser.newContext({ storageState: STATE.admin });
  const page = await admin.newPage();
  await open(page, "/settings/tokens");
  const form = page.getByRole("form", { name: "Create a token" });
  await form.getByLabel("Name").fill(`serve-${RUN}`);
  await form.getByLabel("Scope").selectOption("write");
  await form.getByRole("button", { name: "Create token" }).click();
  const secret = ((await page.getByTestId("new-secret").locator("code").textContent()) ?? "").trim();
  expect(secret.length).toBeGreaterThan(20);

  const withToken = await playwright.request.newContext({
    baseURL,
    storageState: { cookies: [], origins: [] },
    extraHTTPHeaders: { authorization: `Bearer ${secret}` },
  });
  try {
    for (const path of [`/api/models/${model.id}/predict`, `/api/ensembles/${ensemble.id}/predict`]) {
      const direct = await withToken.post(path, { data: { rows: ROWS } });
      expect(direct.status(), await direct.text()).toBe(200);
      expect(direct.headers()["vary"] ?? "", path).not.toContain("rsc");
      const throughNext = await request.post(path, { data: { rows: ROWS } });
      expect(throughNext.status()).toBe(200);
      expect(throughNext.headers()["vary"], path).toContain("rsc");
      expect(await direct.json()).toEqual(await throughNext.json());

      // Bad input gets the route's own 4xx on the direct path too, word for word.
      const bad = await withToken.post(path, { data: { rows: [{ f1: "x" }] } });
      expect(bad.status()).toBe(400);
      const badThroughNext = await request.post(path, { data: { rows: [{ f1: "x" }] } });
      expect(await bad.json()).toEqual(await badThroughNext.json());
    }

    // A base model retrained by the worker (another process) a moment ago: the next direct predict of the ensemble,
    // which this server has in memory, is refused as stale, with the route's own 409.
    await trainViaApi(request, other.id);
    const stale = await withToken.post(`/api/ensembles/${ensemble.id}/predict`, { data: { rows: ROWS } });
    expect(stale.status(), await stale.text()).toBe(409);
    expect(((await stale.json()) as { error: string }).error).toContain("stale");

    await open(page, "/settings/tokens");
    await page.getByTestId(`token-serve-${RUN}`).getByRole("button", { name: "Revoke" }).click();
    await expect(page.getByTestId(`token-serve-${RUN}`)).toContainText("revoked");
    const refused = await withToken.post(`/api/models/${model.id}/predict`, { data: { rows: ROWS } });
    expect(refused.status()).toBe(401);
    expect(refused.headers()["vary"] ?? "").not.toContain("rsc");
  } finally {
    await withToken.dispose();
    await admin.close();
  }
});
