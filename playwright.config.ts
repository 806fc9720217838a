import path from "node:path";
import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3100);
const e2eDir = path.resolve(process.env.E2E_DIR ?? ".data/e2e");

export default defineConfig({
  testDir: "./e2e",
  outputDir: "./e2e-output/results",
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: "chromium",
    viewport: { width: 1280, height: 900 },
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: {
      // Debian's Chromium; Playwright never downloads a browser here.
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  // Run in this order, one worker, against one database. "setup" signs in through the real
  // first-start flow and saves each role's session; the journey then starts with no data;
  // the accessibility audit adds data of its own (and no API deletes a dataset), so it goes
  // last. Both depend only on setup: a failing journey must not skip the audit. "cluster"
  // starts a database, two web nodes and two workers of its own on the same build.
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts$/ },
    { name: "cluster", testMatch: /cluster\.spec\.ts$/ },
    {
      name: "journey",
      testIgnore: /accessibility\.spec\.ts$|auth\.setup\.ts$|cluster\.spec\.ts$/,
      dependencies: ["setup"],
      use: { storageState: path.join(e2eDir, "state-editor.json") },
    },
    {
      name: "accessibility",
      testMatch: /accessibility\.spec\.ts$/,
      dependencies: ["setup"],
      use: { storageState: path.join(e2eDir, "state-editor.json") },
    },
  ],
  webServer: {
    command: "bash scripts/e2e-server.sh",
    url: `http://127.0.0.1:${port}/api/health`,
    reuseExistingServer: false,
    // SIGTERM lets scripts/e2e-server.sh stop its worker, server and database in order.
    gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
    timeout: 180_000,
    stdout: "pipe",
    stderr: "pipe",
    env: { E2E_PORT: String(port), NEXT_DIST_DIR: process.env.NEXT_DIST_DIR ?? ".next-e2e" },
  },
});
