import { expect, test } from "@playwright/test";
import { STATE, USERS, open } from "./support";

test.describe("a viewer", () => {
  test.use({ storageState: STATE.viewer });

  test("reads the dashboard but is refused an edit, in the form and in the API", async ({ page, request }) => {
    await open(page, "/models");
    await expect(page.getByRole("heading", { level: 1, name: "Models" })).toBeVisible();
    await open(page, "/models/new");
    await page.getByLabel("Model name").fill("viewer-attempt");
    await page.getByRole("button", { name: "Create model" }).click();
    await expect(page.getByTestId("form-error")).toContainText("needs the editor role");

    const res = await request.post("/api/models", { data: { name: "viewer-attempt" } });
    expect(res.status()).toBe(403);
    expect((await res.json()).error).toMatch(/editor role/);
    const list = await request.get("/api/models");
    expect(list.status()).toBe(200);
    expect(((await list.json()) as { models: Array<{ name: string }> }).models.map((m) => m.name)).not.toContain("viewer-attempt");
  });
});

test.describe("an admin", () => {
  test.use({ storageState: STATE.admin });

  test("creates an API token that is shown once, uses it from a script, and revokes it", async ({ page, playwright, baseURL }) => {
    await open(page, "/settings/tokens");
    const form = page.getByRole("form", { name: "Create a token" });
    await form.getByLabel("Name").fill("e2e-script");
    await form.getByLabel("Scope").selectOption("write");
    await form.getByRole("button", { name: "Create token" }).click();
    const secret = (await page.getByTestId("new-secret").locator("code").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^nbl_/);

    const script = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
    try {
      expect((await script.get("/api/models")).status()).toBe(401);
      const authorized = { Authorization: `Bearer ${secret}` };
      expect((await script.get("/api/models", { headers: authorized })).status()).toBe(200);

      await open(page, "/settings/tokens");
      const row = page.getByTestId("token-e2e-script");
      await expect(row).toContainText("write");
      await expect(page.getByText(secret)).toHaveCount(0); // shown once, never again
      await row.getByRole("button", { name: "Revoke" }).click();
      await expect(row).toContainText("revoked");
      expect((await script.get("/api/models", { headers: authorized })).status()).toBe(401);
    } finally {
      await script.dispose();
    }
  });
});

test("signing out ends the session, and the dashboard then asks to sign in", async ({ browser }) => {
  // Signed out to begin with: this project's default session is the editor's.
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await open(page, "/sign-in");
  await page.getByLabel("Email").fill(USERS.editor.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("form-error")).toContainText("email or password is not right");
  await page.getByLabel("Password").fill(USERS.editor.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText("(editor)");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/models");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fmodels/);
  await context.close();
});
