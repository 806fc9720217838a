import fs from "node:fs";
import path from "node:path";
import { expect, test as setup, type Browser } from "@playwright/test";
import { E2E_DIR, STATE, USERS, open } from "./support";

/**
 * Signs in through the product's real first-start flow, as a newcomer does:
 * the link the start script printed creates the admin, who adds an editor and
 * a viewer on the Users page; each then signs in on the sign-in page. The specs
 * reuse these sessions (Playwright storage state).
 */
async function signInAndSave(browser: Browser, who: keyof typeof USERS): Promise<void> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await open(page, "/sign-in");
  await page.getByLabel("Email").fill(USERS[who].email);
  await page.getByLabel("Password").fill(USERS[who].password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(`(${who})`);
  await context.storageState({ path: STATE[who] });
  await context.close();
}

setup("the first admin uses the printed link, adds an editor and a viewer, and everyone signs in", async ({ page, browser }) => {
  const link = fs.readFileSync(path.join(E2E_DIR, "first-sign-in.url"), "utf8").trim();
  expect(link).toMatch(/\/setup\?token=/);
  await open(page, new URL(link).pathname + new URL(link).search);
  await page.getByLabel("Your name").fill(USERS.admin.name);
  await page.getByLabel("Email").fill(USERS.admin.email);
  await page.getByLabel("Password").fill(USERS.admin.password);
  await page.getByRole("button", { name: "Create the admin account" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText("(admin)");
  await page.context().storageState({ path: STATE.admin });

  // The link works once.
  await open(page, new URL(link).pathname + new URL(link).search);
  await expect(page.getByText("This sign-up link has been used or replaced")).toBeVisible();

  for (const who of ["editor", "viewer"] as const) {
    await open(page, "/settings/users");
    const form = page.getByRole("form", { name: "Add a user" });
    await form.getByLabel("Name").fill(USERS[who].name);
    await form.getByLabel("Email").fill(USERS[who].email);
    await form.getByLabel("Password").fill(USERS[who].password);
    await form.getByLabel("Role").selectOption(who);
    await form.getByRole("button", { name: "Add user" }).click();
    await expect(form.getByText(`Created ${USERS[who].name} (${who})`)).toBeVisible();
    await signInAndSave(browser, who);
  }
});
