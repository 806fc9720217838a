import fs from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { unzipSync, zipSync } from "fflate";
import { E2E_DIR, STATE, createAndBuildEnsemble, createAndTrainModel, gamesCsv, open, uploadCsvViaApi } from "./support";

/**
 * Hostile requests against the real server (proxy, route handlers and server
 * actions together). Every case asserts its status, a JSON error that names no
 * server path and carries no stack trace, and that nothing changed: the counts
 * of models, ensembles, datasets and jobs, and the files in the data and
 * artifact folders, before and after.
 */
test.describe.configure({ mode: "serial" });
test.use({ storageState: STATE.editor });

const RUN = Date.now().toString(36);
let modelId = "";
let ensembleId = "";
let datasetName = "";
let firstRunId = "";
let tamperedBundle = "";
let escapingBundle = "";
let archive: Buffer = Buffer.alloc(0);

interface Snapshot {
  models: number;
  ensembles: number;
  datasets: number;
  jobs: number;
  current: string;
  files: string[];
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)).sort();
}

async function snapshot(api: APIRequestContext): Promise<Snapshot> {
  const count = async (url: string, key: string) => ((await (await api.get(url)).json()) as Record<string, unknown[]>)[key].length;
  return {
    models: await count("/api/models?limit=200", "models"),
    ensembles: await count("/api/ensembles?limit=200", "ensembles"),
    datasets: await count("/api/datasets", "datasets"),
    jobs: await count("/api/jobs?limit=200", "jobs"),
    current: ((await (await api.get(`/api/models/${modelId}`)).json()) as { run_id?: string }).run_id ?? "",
    files: [...filesUnder(path.join(E2E_DIR, "datasets")), ...filesUnder(path.join(E2E_DIR, "artifacts"))],
  };
}

/** An error body a client may see: one JSON sentence, no server folder, no stack frame. */
function expectCleanError(status: number, text: string, where: string): void {
  let body: { error?: unknown };
  try {
    body = JSON.parse(text) as { error?: unknown };
  } catch {
    throw new Error(`${where}: ${status} answer is not JSON: ${text.slice(0, 200)}`);
  }
  expect(typeof body.error, `${where}: {error} sentence`).toBe("string");
  // An absolute server folder (a request's own relative path echoed back is fine).
  expect(text, `${where}: names a server folder`).not.toMatch(/(^|[\s"'(:=])\/(work|tmp|home|root|usr|var|etc|opt|srv)\//);
  expect(text, `${where}: names the data folder`).not.toContain(E2E_DIR);
  expect(text, `${where}: carries a stack trace`).not.toMatch(/\n\s+at |\bat .*\.(js|ts):\d+/);
}

interface Case {
  name: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: () => string;
  headers?: Record<string, string>;
  body?: string | Buffer | (() => string | Buffer | Uint8Array);
  as?: "anonymous" | "viewer" | "editor" | "read-token" | "revoked-token";
  status: number;
}

let readToken = "";
let revokedToken = "";

const json = { "content-type": "application/json" };
const cases: Case[] = [];
const GAME = { date: "2020-01-01", team1: "BOS", team2: "NYK" };
const routes: Array<{ method: Case["method"]; path: () => string; body?: string; minimum: "viewer" | "editor" }> = [
  { method: "GET", path: () => "/api/models", minimum: "viewer" },
  { method: "POST", path: () => "/api/models", body: "{}", minimum: "editor" },
  { method: "GET", path: () => `/api/models/${modelId}`, minimum: "viewer" },
  { method: "PATCH", path: () => `/api/models/${modelId}`, body: '{"seed":"x"}', minimum: "editor" },
  { method: "DELETE", path: () => `/api/models/${modelId}`, minimum: "editor" },
  { method: "POST", path: () => `/api/models/${modelId}/train`, minimum: "editor" },
  { method: "POST", path: () => `/api/models/${modelId}/predict`, body: '{"rows":[]}', minimum: "editor" },
  { method: "GET", path: () => "/api/ensembles", minimum: "viewer" },
  { method: "POST", path: () => "/api/ensembles", body: "{}", minimum: "editor" },
  { method: "GET", path: () => `/api/ensembles/${ensembleId}`, minimum: "viewer" },
  { method: "DELETE", path: () => `/api/ensembles/${ensembleId}`, minimum: "editor" },
  { method: "POST", path: () => `/api/ensembles/${ensembleId}/train`, minimum: "editor" },
  { method: "POST", path: () => `/api/ensembles/${ensembleId}/predict`, body: '{"rows":[]}', minimum: "editor" },
  { method: "GET", path: () => "/api/datasets", minimum: "viewer" },
  { method: "GET", path: () => "/api/jobs?limit=5", minimum: "viewer" },
  { method: "POST", path: () => "/api/jobs/000000000000000000000000/cancel", minimum: "editor" },
  { method: "GET", path: () => `/api/models/${modelId}/versions`, minimum: "viewer" },
  { method: "POST", path: () => `/api/models/${modelId}/versions/${firstRunId}/promote`, minimum: "editor" },
  { method: "GET", path: () => `/api/models/${modelId}/bundle`, minimum: "viewer" },
  { method: "GET", path: () => `/api/ensembles/${ensembleId}/bundle`, minimum: "viewer" },
  { method: "POST", path: () => "/api/bundles", body: "{}", minimum: "editor" },
  { method: "GET", path: () => `/api/models/${modelId}/versions/${firstRunId}/bundle`, minimum: "viewer" },
  { method: "POST", path: () => "/api/models/import", body: "PK", minimum: "editor" },
  { method: "DELETE", path: () => `/api/datasets/${datasetName}`, minimum: "editor" },
  { method: "POST", path: () => `/api/ensembles/${ensembleId}/forecast`, body: "{}", minimum: "editor" },
  { method: "POST", path: () => "/api/datasets/features", body: "{}", minimum: "editor" },
];

// Identity: every route without credentials, with a bad or revoked token, and (for writes) as a viewer or a read token.
const zip = { "content-type": "application/zip" };
for (const r of routes) {
  const headers = r.body ? (r.path().endsWith("/import") ? zip : json) : undefined;
  cases.push({ name: `${r.method} ${r.path.toString()} without credentials`, method: r.method, path: r.path, headers, body: r.body, as: "anonymous", status: 401 });
  cases.push({ name: `${r.method} ${r.path.toString()} with a revoked token`, method: r.method, path: r.path, headers, body: r.body, as: "revoked-token", status: 401 });
  if (r.minimum === "editor") {
    cases.push({ name: `${r.method} ${r.path.toString()} as a viewer`, method: r.method, path: r.path, headers, body: r.body, as: "viewer", status: 403 });
    cases.push({ name: `${r.method} ${r.path.toString()} with a read token`, method: r.method, path: r.path, headers, body: r.body, as: "read-token", status: 403 });
  }
}

cases.push(
  // DNS rebinding: a foreign Host is refused on reads and writes alike.
  { name: "GET /api/models with Host: evil.example", method: "GET", path: () => "/api/models", headers: { host: "evil.example" }, status: 403 },
  { name: "GET /api/health with Host: evil.example", method: "GET", path: () => "/api/health", headers: { host: "evil.example" }, status: 403 },
  { name: "POST /api/models with Host: localhost.evil.example", method: "POST", path: () => "/api/models", headers: { ...json, host: "localhost.evil.example" }, body: "{}", status: 403 },
  // Cross-site writes.
  { name: "POST /api/models from another origin", method: "POST", path: () => "/api/models", headers: { ...json, origin: "http://evil.example" }, body: '{"name":"x"}', status: 403 },
  { name: "POST train from another origin", method: "POST", path: () => `/api/models/${modelId}/train`, headers: { origin: "http://evil.example" }, status: 403 },
  { name: "DELETE a model marked cross-site", method: "DELETE", path: () => `/api/models/${modelId}`, headers: { "sec-fetch-site": "cross-site" }, status: 403 },
  { name: "POST /api/ensembles from the null origin", method: "POST", path: () => "/api/ensembles", headers: { ...json, origin: "null" }, body: "{}", status: 403 },
  // Simple (preflight-free) content types a foreign form can send.
  { name: "POST /api/models as text/plain", method: "POST", path: () => "/api/models", headers: { "content-type": "text/plain" }, body: '{"name":"x"}', status: 415 },
  { name: "POST /api/models as a form", method: "POST", path: () => "/api/models", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "name=x", status: 415 },
  { name: "PATCH a model as text/plain", method: "PATCH", path: () => `/api/models/${modelId}`, headers: { "content-type": "text/plain" }, body: '{"seed":1}', status: 415 },
  { name: "POST predict as text/plain", method: "POST", path: () => `/api/models/${modelId}/predict`, headers: { "content-type": "text/plain" }, body: '{"rows":[]}', status: 415 },
  { name: "POST /api/datasets as text/plain", method: "POST", path: () => "/api/datasets?name=plain", headers: { "content-type": "text/plain" }, body: "a,b\n1,2\n", status: 415 },
  { name: "POST /api/datasets as JSON", method: "POST", path: () => "/api/datasets?name=json", headers: json, body: "{}", status: 415 },
  // Bodies and inputs.
  { name: "POST /api/models with broken JSON", method: "POST", path: () => "/api/models", headers: json, body: '{"name":', status: 400 },
  { name: "POST /api/models with a prototype key", method: "POST", path: () => "/api/models", headers: json, body: '{"__proto__":{"admin":true},"name":"p"}', status: 400 },
  { name: "POST /api/models with seed null", method: "POST", path: () => "/api/models", headers: json, body: () => JSON.stringify({ name: `n-${RUN}`, algorithm: "logistic_regression", features: ["f1"], target: "home_win", training_csv: datasetName, seed: null }), status: 400 },
  { name: "POST /api/models reading a file outside the data folder", method: "POST", path: () => "/api/models", headers: json, body: JSON.stringify({ name: `t-${RUN}`, algorithm: "logistic_regression", features: ["f1"], target: "home_win", training_csv: "../../../etc/passwd" }), status: 400 },
  { name: "POST /api/models with a 200 KB name", method: "POST", path: () => "/api/models", headers: json, body: JSON.stringify({ name: "x".repeat(200_000) }), status: 400 },
  { name: "PATCH a model's artifact path", method: "PATCH", path: () => `/api/models/${modelId}`, headers: json, body: '{"model_artifact_path":"../../etc/passwd"}', status: 400 },
  { name: "PATCH a model's run_id", method: "PATCH", path: () => `/api/models/${modelId}`, headers: json, body: '{"run_id":"forged"}', status: 400 },
  { name: "GET an unknown model", method: "GET", path: () => "/api/models/000000000000000000000000", status: 404 },
  { name: "GET a model by a non-id", method: "GET", path: () => "/api/models/..%2F..%2Fetc", status: 404 },
  { name: "predict with a constructor feature", method: "POST", path: () => `/api/models/${modelId}/predict`, headers: json, body: '{"rows":[{"constructor":1}]}', status: 400 },
  { name: "predict with a __proto__ feature", method: "POST", path: () => `/api/models/${modelId}/predict`, headers: json, body: '{"rows":[{"__proto__":1}]}', status: 400 },
  { name: "predict with 1.7e308", method: "POST", path: () => `/api/models/${modelId}/predict`, headers: json, body: '{"rows":[{"f1":1.7e308,"f2":0,"f3":0,"f4":0}]}', status: 400 },
  { name: "predict 10,001 rows", method: "POST", path: () => `/api/models/${modelId}/predict`, headers: json, body: JSON.stringify({ rows: Array.from({ length: 10_001 }, () => ({ f1: 0 })) }), status: 400 },
  { name: "ensemble predict with strings", method: "POST", path: () => `/api/ensembles/${ensembleId}/predict`, headers: json, body: '{"rows":[{"f1":"1"}]}', status: 400 },
  { name: "ensemble with a base model twice", method: "POST", path: () => "/api/ensembles", headers: json, body: () => JSON.stringify({ name: `dup-${RUN}`, base_model_ids: [modelId, modelId], meta_training_csv: datasetName }), status: 400 },
  { name: "upload with a hostile name", method: "POST", path: () => "/api/datasets?name=..%2F..%2Fescape", headers: { "content-type": "text/csv" }, body: "a,b\n1,2\n", status: 400 },
  { name: "upload with a __proto__ column", method: "POST", path: () => `/api/datasets?name=proto-${RUN}`, headers: { "content-type": "text/csv" }, body: "__proto__,b\n1,2\n3,4\n", status: 400 },
  { name: "upload with 2,000 columns", method: "POST", path: () => `/api/datasets?name=wide-${RUN}`, headers: { "content-type": "text/csv" }, body: `${Array.from({ length: 2000 }, (_, i) => `c${i}`).join(",")}\n`, status: 400 },
  { name: "upload over the size limit", method: "POST", path: () => `/api/datasets?name=big-${RUN}`, headers: { "content-type": "text/csv" }, body: Buffer.alloc(51 * 1024 * 1024, 0x31), status: 413 },
  { name: "upload with unbalanced quotes", method: "POST", path: () => `/api/datasets?name=quotes-${RUN}`, headers: { "content-type": "text/csv" }, body: 'a,b\n"1,2\n', status: 400 },
  { name: "an unknown job", method: "GET", path: () => "/api/jobs/000000000000000000000000", status: 404 },
  { name: "cancel an unknown job", method: "POST", path: () => "/api/jobs/000000000000000000000000/cancel", status: 404 },
  { name: "promote an unknown run", method: "POST", path: () => `/api/models/${modelId}/versions/forged-run/promote`, status: 404 },
  { name: "promote a run by a hostile id", method: "POST", path: () => `/api/models/${modelId}/versions/..%2F..%2Fetc/promote`, status: 404 },
  { name: "promote from another origin", method: "POST", path: () => `/api/models/${modelId}/versions/${firstRunId}/promote`, headers: { origin: "http://evil.example" }, status: 403 },
  { name: "delete a dataset a model trains on", method: "DELETE", path: () => `/api/datasets/${datasetName}`, status: 409 },
  { name: "delete a dataset by a hostile name", method: "DELETE", path: () => "/api/datasets/..%2F..%2Fetc%2Fpasswd", status: 400 },
  { name: "delete a dataset cross-site", method: "DELETE", path: () => `/api/datasets/${datasetName}?force=true`, headers: { "sec-fetch-site": "cross-site" }, status: 403 },
  { name: "forecast as text/plain", method: "POST", path: () => `/api/ensembles/${ensembleId}/forecast`, headers: { "content-type": "text/plain" }, body: "{}", status: 415 },
  { name: "forecast from another origin", method: "POST", path: () => `/api/ensembles/${ensembleId}/forecast`, headers: { ...json, origin: "http://evil.example" }, body: "{}", status: 403 },
  { name: "forecast from a games dataset outside the data folder", method: "POST", path: () => `/api/ensembles/${ensembleId}/forecast`, headers: json, body: JSON.stringify({ games_dataset: "../../../etc/passwd", games: [GAME] }), status: 400 },
  { name: "forecast from a table that is not a games dataset", method: "POST", path: () => `/api/ensembles/${ensembleId}/forecast`, headers: json, body: () => JSON.stringify({ games_dataset: datasetName, games: [GAME] }), status: 400 },
  { name: "forecast 501 games", method: "POST", path: () => `/api/ensembles/${ensembleId}/forecast`, headers: json, body: () => JSON.stringify({ games_dataset: datasetName, games: Array.from({ length: 501 }, () => GAME) }), status: 400 },
  { name: "forecast a game with a __proto__ key", method: "POST", path: () => `/api/ensembles/${ensembleId}/forecast`, headers: json, body: () => `{"games_dataset":"${datasetName}","games":[{"date":"2020-01-01","team1":"BOS","team2":"NYK","__proto__":{"x":1}}]}`, status: 400 },
  { name: "feature table from a hostile games dataset", method: "POST", path: () => "/api/datasets/features", headers: json, body: JSON.stringify({ games_dataset: "..%2F..%2Fetc/passwd", name: `feat-${RUN}` }), status: 400 },
  { name: "feature table with a hostile name", method: "POST", path: () => "/api/datasets/features", headers: json, body: () => JSON.stringify({ games_dataset: datasetName, name: "../../escape" }), status: 400 },
  { name: "feature table marked cross-site", method: "POST", path: () => "/api/datasets/features", headers: { ...json, "sec-fetch-site": "cross-site" }, body: "{}", status: 403 },
  { name: "upload with an unknown kind", method: "POST", path: () => `/api/datasets?name=kind-${RUN}&kind=evil`, headers: { "content-type": "text/csv" }, body: "a,b\n1,2\n", status: 400 },
  { name: "import a bundle as text/plain", method: "POST", path: () => "/api/bundles", headers: { "content-type": "text/plain" }, body: "{}", status: 415 },
  { name: "import an empty bundle", method: "POST", path: () => "/api/bundles", headers: json, body: "{}", status: 400 },
  { name: "import a bundle whose model was altered after export", method: "POST", path: () => "/api/bundles", headers: json, body: () => tamperedBundle, status: 400 },
  { name: "import a bundle with a hostile training_csv", method: "POST", path: () => "/api/bundles", headers: json, body: () => escapingBundle, status: 400 },
  // Version archives: the download and the import route.
  { name: "download a version of an unknown run", method: "GET", path: () => `/api/models/${modelId}/versions/forged-run/bundle`, status: 404 },
  { name: "download a version by a hostile run id", method: "GET", path: () => `/api/models/${modelId}/versions/..%2F..%2Fetc/bundle`, status: 404 },
  { name: "import an archive as JSON", method: "POST", path: () => "/api/models/import", headers: json, body: "{}", status: 415 },
  { name: "import an archive as text/plain", method: "POST", path: () => "/api/models/import", headers: { "content-type": "text/plain" }, body: () => archive.toString("latin1"), status: 415 },
  { name: "import an archive from another origin", method: "POST", path: () => "/api/models/import", headers: { ...zip, origin: "http://evil.example" }, body: () => archive, status: 403 },
  { name: "import an archive with Host: evil.example", method: "POST", path: () => "/api/models/import", headers: { ...zip, host: "evil.example" }, body: () => archive, status: 403 },
  { name: "import something that is not an archive", method: "POST", path: () => "/api/models/import", headers: zip, body: '{"format":"nba-ensemble-lab.bundle"}', status: 400 },
  { name: "import a truncated archive", method: "POST", path: () => "/api/models/import", headers: zip, body: () => archive.subarray(0, archive.length >> 1), status: 400 },
  { name: "import an archive with an entry outside its folder", method: "POST", path: () => "/api/models/import", headers: zip, body: () => rezip((f) => { f["../../etc/passwd"] = f["model.json"]; delete f["model.json"]; }), status: 400 },
  { name: "import an archive with an extra file", method: "POST", path: () => "/api/models/import", headers: zip, body: () => rezip((f) => { f["run.sh"] = Buffer.from("rm -rf /"); }), status: 400 },
  { name: "import an archive whose model was altered", method: "POST", path: () => "/api/models/import?name=altered", headers: zip, body: () => rezip((f) => { f["model.json"] = Buffer.from(Buffer.from(f["model.json"]).toString("utf8").replace(/\d/, (d) => String((Number(d) + 1) % 10))); }), status: 400 },
  { name: "import an archive of an unknown format version", method: "POST", path: () => "/api/models/import?name=future", headers: zip, body: () => rezip((f) => { f["manifest.json"] = Buffer.from(Buffer.from(f["manifest.json"]).toString("utf8").replace('"format_version": 1', '"format_version": 2')); }), status: 400 },
  { name: "import an archive whose name is taken", method: "POST", path: () => "/api/models/import", headers: zip, body: () => archive, status: 409 },
  { name: "import an archive whose run is already here", method: "POST", path: () => `/api/models/import?name=copy-${RUN}`, headers: zip, body: () => archive, status: 409 },
  { name: "import an archive over the size limit", method: "POST", path: () => "/api/models/import", headers: zip, body: Buffer.alloc(51 * 1024 * 1024, 0x31), status: 413 },
);

/** The real archive with its entries changed. */
function rezip(change: (files: Record<string, Uint8Array>) => void): Buffer {
  const files = unzipSync(archive);
  change(files);
  return Buffer.from(zipSync(files));
}

async function send(api: APIRequestContext, c: Case, tokens: { viewer: APIRequestContext; anonymous: APIRequestContext }) {
  const client = c.as === "viewer" ? tokens.viewer : c.as && c.as !== "editor" ? tokens.anonymous : api;
  const headers: Record<string, string> = { ...c.headers };
  if (c.as === "read-token") headers.authorization = `Bearer ${readToken}`;
  if (c.as === "revoked-token") headers.authorization = `Bearer ${revokedToken}`;
  const raw = typeof c.body === "function" ? c.body() : c.body;
  const data = raw instanceof Uint8Array && !Buffer.isBuffer(raw) ? Buffer.from(raw) : raw;
  return client.fetch(c.path(), { method: c.method, headers, data, maxRedirects: 0, failOnStatusCode: false });
}

test.beforeAll(async ({ playwright, baseURL, browser }) => {
  const api = await playwright.request.newContext({ baseURL, storageState: STATE.editor });
  datasetName = await uploadCsvViaApi(api, `sec-${RUN}`, gamesCsv(200, 41));
  const common = { algorithm: "logistic_regression", target: "home_win", training_csv: datasetName };
  modelId = (await createAndTrainModel(api, { ...common, name: `sec-${RUN}-a`, features: ["f1", "f2", "f3", "f4"] })).id;
  firstRunId = ((await (await api.get(`/api/models/${modelId}`)).json()) as { run_id: string }).run_id;
  const other = await createAndTrainModel(api, { ...common, name: `sec-${RUN}-b`, features: ["f1", "f2"] });
  ensembleId = (await createAndBuildEnsemble(api, { name: `sec-${RUN}-stack`, base_model_ids: [modelId, other.id], meta_training_csv: datasetName })).id;
  // A real export, renamed so its name is free, then altered two ways.
  const exported = (await (await api.get(`/api/models/${modelId}/bundle`)).json()) as { models: Array<Record<string, unknown> & { artifacts: Record<string, string> }> };
  const renamed = (change: (m: (typeof exported.models)[number]) => void) => {
    const copy = structuredClone(exported);
    copy.models[0].name = `imported-${RUN}`;
    change(copy.models[0]);
    return JSON.stringify(copy);
  };
  tamperedBundle = renamed((m) => {
    m.artifacts.model = m.artifacts.model.replace(/\d/, (d) => String((Number(d) + 1) % 10));
  });
  escapingBundle = renamed((m) => {
    m.training_csv = "../../../etc/passwd";
    (m.version as { run_id: string }).run_id = `forged-${RUN}`;
  });
  // A real version archive, to alter.
  const got = await api.get(`/api/models/${modelId}/versions/${firstRunId}/bundle`);
  expect(got.status()).toBe(200);
  expect(got.headers()["content-type"]).toBe("application/zip");
  archive = await got.body();
  await api.dispose();

  // Tokens through the Tokens page, as an admin makes them.
  const admin = await browser.newContext({ storageState: STATE.admin });
  const page = await admin.newPage();
  const make = async (name: string, scope: string) => {
    await open(page, "/settings/tokens");
    const form = page.getByRole("form", { name: "Create a token" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Scope").selectOption(scope);
    await form.getByRole("button", { name: "Create token" }).click();
    return ((await page.getByTestId("new-secret").locator("code").textContent()) ?? "").trim();
  };
  readToken = await make(`sec-read-${RUN}`, "read");
  revokedToken = await make(`sec-revoked-${RUN}`, "write");
  await open(page, "/settings/tokens");
  await page.getByTestId(`token-sec-revoked-${RUN}`).getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId(`token-sec-revoked-${RUN}`)).toContainText("revoked");
  await admin.close();
});

test(`${cases.length} hostile API requests are refused with a clean JSON error and change nothing`, async ({ request, playwright, baseURL }) => {
  const viewer = await playwright.request.newContext({ baseURL, storageState: STATE.viewer });
  const anonymous = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  // Each case reads the whole state before and after: about a second per case on two busy cores.
  test.setTimeout(cases.length * 3_000);
  const failures: string[] = [];
  try {
    for (const c of cases) {
      const before = await snapshot(request);
      const res = await send(request, c, { viewer, anonymous });
      const text = await res.text();
      if (res.status() !== c.status) failures.push(`${c.name}: expected ${c.status}, got ${res.status()} ${text.slice(0, 200)}`);
      else {
        try {
          expectCleanError(res.status(), text, c.name);
        } catch (err) {
          failures.push(String(err));
        }
      }
      const after = await snapshot(request);
      if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`${c.name}: something changed: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
    }
  } finally {
    await viewer.dispose();
    await anonymous.dispose();
  }
  expect(failures, failures.join("\n")).toEqual([]);
  expect(cases.length).toBeGreaterThanOrEqual(60);
});

/** Submits a form as an editor and keeps the raw server-action request, to replay it with hostile changes. */
async function captureAction(page: Page, url: string, marker: string, submit: () => Promise<void>) {
  await open(page, url);
  // The answer, not just the request: the action must have finished before anything is put back.
  // The marker picks the submit out of other actions the page may call (a dataset's columns, say).
  const answered = page.waitForResponse((r) => {
    const req = r.request();
    return req.method() === "POST" && req.headers()["next-action"] !== undefined && (req.postData() ?? "").includes(marker);
  });
  await submit();
  const req = (await answered).request();
  return { url: req.url(), headers: req.headers(), body: req.postDataBuffer() ?? Buffer.alloc(0) };
}

test("server actions refuse a viewer, a foreign Host and another origin, changing nothing", async ({ page, request, playwright, baseURL }) => {
  const actions = [
    await captureAction(page, `/models/${modelId}/edit`, `renamed-${RUN}`, async () => {
      await page.getByLabel("Model name").fill(`renamed-${RUN}`);
      await page.getByRole("button", { name: "Save changes" }).click();
    }),
  ];
  // The capture really changed something as an editor; put it back for the replays.
  expect(((await (await request.get(`/api/models/${modelId}`)).json()) as { name: string }).name).toBe(`renamed-${RUN}`);
  const restored = await request.patch(`/api/models/${modelId}`, { data: { name: `sec-${RUN}-a` } });
  expect(restored.status(), await restored.text()).toBe(200);
  const viewer = await playwright.request.newContext({ baseURL, storageState: STATE.viewer });
  const anonymous = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const failures: string[] = [];
  try {
    for (const a of actions) {
      const base = { "next-action": a.headers["next-action"], "content-type": a.headers["content-type"], accept: "text/x-component" };
      const variants: Array<[string, APIRequestContext, Record<string, string>]> = [
        ["as a viewer", viewer, { ...base, origin: new URL(baseURL!).origin }],
        ["without a session", anonymous, { ...base, origin: new URL(baseURL!).origin }],
        ["with Host: evil.example", request, { ...base, host: "evil.example", origin: "http://evil.example" }],
        ["from another origin", request, { ...base, origin: "http://evil.example" }],
      ];
      for (const [name, client, headers] of variants) {
        const before = await snapshot(request);
        const res = await client.post(a.url, { headers, data: a.body, maxRedirects: 0, failOnStatusCode: false });
        const after = await snapshot(request);
        const model = (await (await request.get(`/api/models/${modelId}`)).json()) as { name: string };
        if (model.name !== `sec-${RUN}-a`) failures.push(`${name}: the action renamed the model to ${model.name} (status ${res.status()})`);
        if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`${name}: something changed`);
        if (res.status() >= 500) failures.push(`${name}: ${res.status()}`);
      }
      // The same replay as the editor does rename: the refusals above are the guards, not a malformed replay.
      const control = await request.post(a.url, { headers: { ...base, origin: new URL(baseURL!).origin }, data: a.body, maxRedirects: 0, failOnStatusCode: false });
      const renamed = (await (await request.get(`/api/models/${modelId}`)).json()) as { name: string };
      if (renamed.name !== `renamed-${RUN}`) failures.push(`the editor's own replay did not rename the model (status ${control.status()})`);
    }
  } finally {
    await viewer.dispose();
    await anonymous.dispose();
  }
  expect(failures, failures.join("\n")).toEqual([]);
});
