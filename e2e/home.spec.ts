import { expect, test } from "@playwright/test";

test("the dashboard opens in Chromium and shows its heading", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: "NBA Ensemble Lab" })).toBeVisible();
});
