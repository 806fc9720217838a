import { expect, test, type Page } from "@playwright/test";

/**
 * The API reference in a real browser: it renders from the app alone (the
 * end-to-end server has no internet, and neither do closed networks), under its
 * strict Content-Security-Policy, and its "Test request" uses the session.
 */
function watch(page: Page, origin: string) {
  const seen = { foreign: [] as string[], errors: [] as string[] };
  page.on("request", (req) => {
    const url = new URL(req.url());
    if (url.protocol !== "data:" && url.protocol !== "blob:" && url.origin !== origin) seen.foreign.push(req.url());
  });
  page.on("console", (msg) => {
    if (msg.type() === "error") seen.errors.push(msg.text());
  });
  page.on("pageerror", (err) => seen.errors.push(`uncaught ${err.message}`));
  return seen;
}

test.describe("without signing in", () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test("the reference renders from this origin only, with no CSP violation", async ({ page, baseURL }) => {
    const seen = watch(page, new URL(baseURL!).origin);
    const document = page.waitForResponse((res) => new URL(res.url()).pathname === "/api/openapi.json");
    await page.goto("/api/docs");
    expect((await document).status()).toBe(200);
    await expect(page.getByRole("heading", { name: "NBA Ensemble Lab API" })).toBeVisible();
    await expect(page.getByText("List models").first()).toBeVisible();
    expect(seen.foreign).toEqual([]);
    expect(seen.errors).toEqual([]);
  });
});

test("signed in, its Test request answers with the dashboard's session", async ({ page, baseURL }) => {
  const seen = watch(page, new URL(baseURL!).origin);
  await page.goto("/api/docs#tag/models/GET/api/models");
  await page.getByRole("button", { name: /test request/i }).first().click();
  const answer = page.waitForResponse((res) => new URL(res.url()).pathname === "/api/models" && res.request().method() === "GET");
  await page.getByRole("button", { name: /^send/i }).first().click();
  expect((await answer).status()).toBe(200);
  await expect(page.getByText("200 OK").first()).toBeVisible();
  expect(seen.foreign).toEqual([]);
});
