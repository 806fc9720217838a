import { expect, test } from "@playwright/test";
import { createAndTrainModel, gamesCsv, open, uploadCsvViaApi } from "./support";

test("Cancel beside the progress bar stops a training; the model keeps its previous run", async ({ page, request }) => {
  const dataset = await uploadCsvViaApi(request, "e2e-cancel", gamesCsv(1500, 11));
  const model = await createAndTrainModel(request, {
    name: "Cancelled forest",
    algorithm: "random_forest",
    hyperparameters: { n_estimators: 5, max_depth: 4, max_samples: 200 },
    features: ["f1", "f2", "f3", "f4"],
    target: "home_win",
    training_csv: dataset,
  });
  // The next run takes about a minute with the slow oracle engine: long enough to cancel in the middle.
  const patched = await request.patch(`/api/models/${model.id}`, {
    data: { hyperparameters: { n_estimators: 300, max_depth: 10, max_samples: 1200, engine: "ml-random-forest" } },
  });
  expect(patched.status(), await patched.text()).toBe(200);

  await open(page, `/models/${model.id}`);
  const runId = await page.getByTestId("run-id").textContent();
  await page.getByRole("button", { name: /^Train again$/ }).click();
  const panel = page.getByTestId("job-progress");
  await expect(panel).toHaveAttribute("data-status", "running");
  await expect(page.getByRole("progressbar")).not.toHaveAttribute("aria-valuenow", "0");

  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(panel).toHaveAttribute("data-status", "cancelled", { timeout: 10_000 });
  await expect(page.getByTestId("job-status")).toHaveText("Cancelled");
  await expect(page.getByRole("button", { name: "Cancel" })).toHaveCount(0);
  await expect(page.getByTestId("model-status")).toHaveText(/^\W*trained$/);
  await expect(page.getByTestId("run-id")).toHaveText(runId ?? "");
  await expect(page.getByTestId("artifact-row-model")).toHaveAttribute("data-status", "present");
  // Nothing holds the model now: it trains again at once.
  const again = await request.post(`/api/models/${model.id}/train`);
  expect(again.status()).toBe(202);
  const cancelled = await request.post(`/api/jobs/${((await again.json()) as { job_id: string }).job_id}/cancel`);
  expect(cancelled.status()).toBe(202);
});
