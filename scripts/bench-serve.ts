/**
 * npm run bench:serve: how fast a running app serves predictions over HTTP.
 *
 *   npm run bench:serve -- [--start [--build] [--compare DIR=label]] [BASE_URL[=label] ...] [--seconds 5] [--rounds 1] [--floor-path /api/...]
 *
 * --start runs the app itself: a throwaway FerretDB, artifact and data folders,
 * the demo seed, a random ADMIN_TOKEN and the web server (scripts/serve.ts, or
 * `next start` in a checkout that has none) on a free port, from the
 * production build in .next (made first when there is none, or with --build).
 * --compare also starts the production build in DIR (another checkout, already
 * built) over the same database, measured case by case alongside, so a before
 * and an after share the same moments of a busy machine.
 * Otherwise BASE_URL defaults to http://127.0.0.1:3000. Several URLs (say, two builds of
 * the app over one database) are measured case by case in turn, so they share
 * the same moments of a busy machine. API_TOKEN (or ADMIN_TOKEN) is sent as the
 * bearer token. The first app's API finds a trained model and a built, fresh
 * ensemble (the demo seed makes them), or creates them (a worker must run).
 *
 * Cases, each for the model and the ensemble: 1 row from one client, 1 row from
 * 16 clients at once, 1,000 rows from one client, each app in turn (which goes
 * first turns from case to case); latencies are taken per response
 * (autocannon's own histogram rounds to whole milliseconds). --rounds N runs
 * every case N times, turning the order each time, and reports each figure's
 * median (requests and errors summed). Floors
 * measured the same way: a bare node:http server in its own process and, with
 * --floor-path, an empty route handler built into the app being measured.
 * Writes bench/serve.json and bench/serve.md.
 */
import "./bench-quiet-logs";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { config, resetConfigForTests } from "@/lib/config";
import { percentile } from "@/lib/evaluation/stats";
import { createRng } from "@/lib/ml/random";
import { syntheticCsv } from "@/lib/ml/synthetic";
import { PROJECT_ROOT, freePort, openThrowawayEnv, progressLog, runScript, writeReport } from "./bench-env";
import { probe, type Probe } from "./health-probe";

const say = progressLog("serve");

const TARGETS = { p50_1row_ms: 3, p99_1row_ms: 15, rps_16: 1000, p50_1000rows_ms: 15 };
const CONCURRENT = 16;
const MANY_ROWS = 1000;

interface App {
  label: string;
  probe: Probe;
}

interface Subject {
  kind: "model" | "ensemble";
  id: string;
  name: string;
  features: string[];
}

interface CaseResult {
  app: string;
  case: string;
  path: string;
  connections: number;
  rows: number;
  seconds: number;
  requests: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  errors: number;
  non_2xx: number;
  /** How many rounds the figures are medians of. */
  rounds?: number;
}

function bearer(): string | null {
  const cfg = config();
  return cfg.apiToken ?? cfg.adminToken ?? null;
}

function headers(): Record<string, string> {
  const token = bearer();
  return { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

async function pollJob(p: Probe, jobId: string): Promise<void> {
  for (;;) {
    const job = await p.api<{ status: string; error?: string }>(`/api/jobs/${jobId}`);
    if (job.status === "succeeded") return;
    if (job.status !== "queued" && job.status !== "running") throw new Error(`job ${jobId} ${job.status}: ${job.error ?? ""}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

type ModelInfo = { id: string; name: string; features: string[]; run_id: string | null };
type EnsembleInfo = { id: string; name: string; run_id: string | null; stale: boolean; base_model_ids: string[] };

/** A built, fresh ensemble and its base model with the most features; made through the API when there is none. */
async function findOrCreateSubjects(p: Probe): Promise<{ model: Subject; ensemble: Subject }> {
  let { ensembles } = await p.api<{ ensembles: EnsembleInfo[] }>("/api/ensembles?limit=100");
  let ready = ensembles.find((e) => e.run_id && !e.stale);
  if (!ready) {
    say("no built ensemble: creating two logistic models and an ensemble on a synthetic dataset (needs a running worker)");
    const name = `bench-serve-${Date.now()}`;
    const ds = await p.api<{ path: string }>(`/api/datasets?name=${name}`, { method: "POST", headers: { "content-type": "text/csv" }, body: syntheticCsv(3000, 5) });
    const ids: string[] = [];
    for (const features of [["f1", "f2"], ["f3", "f4"]]) {
      const m = await p.api<{ id: string }>("/api/models", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: `${name}-${features.join("")}`, algorithm: "logistic_regression", features, target: "label", training_csv: ds.path }),
      });
      await pollJob(p, (await p.api<{ job_id: string }>(`/api/models/${m.id}/train`, { method: "POST" })).job_id);
      ids.push(m.id);
    }
    const e = await p.api<{ id: string }>("/api/ensembles", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name, base_model_ids: ids, meta_training_csv: ds.path }),
    });
    await pollJob(p, (await p.api<{ job_id: string }>(`/api/ensembles/${e.id}/train`, { method: "POST" })).job_id);
    ({ ensembles } = await p.api<{ ensembles: EnsembleInfo[] }>("/api/ensembles?limit=100"));
    ready = ensembles.find((x) => x.id === e.id && x.run_id && !x.stale);
    if (!ready) throw new Error("the ensemble just built is not ready");
  }
  const bases = await Promise.all(ready.base_model_ids.map((id) => p.api<ModelInfo>(`/api/models/${id}`)));
  const widest = bases.reduce((a, b) => (b.features.length > a.features.length ? b : a));
  return {
    model: { kind: "model", id: widest.id, name: widest.name, features: widest.features },
    ensemble: { kind: "ensemble", id: ready.id, name: ready.name, features: [...new Set(bases.flatMap((b) => b.features))] },
  };
}

/** `n` rows of plausible values, the same for every app and run. */
function rowsFor(features: string[], n: number, seed: number): Array<Record<string, number>> {
  const rnd = createRng(seed);
  return Array.from({ length: n }, () => Object.fromEntries(features.map((f) => [f, Math.round((rnd() * 2 - 1) * 1e4) / 1e4])));
}

/** One autocannon run; latencies are recorded per response with sub-millisecond resolution. */
async function load(base: string, path: string, body: string, connections: number, seconds: number): Promise<Omit<CaseResult, "app" | "case" | "rows">> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: `${base}${path}`, method: "POST", headers: headers(), body, connections, duration: seconds, timeout: 10 }, (err, res) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res),
    );
    instance.on("response", (_client, statusCode, _bytes, ms) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(ms);
    });
  });
  const requests = result.requests.total;
  return {
    path,
    connections,
    seconds: result.duration,
    requests,
    rps: requests / result.duration,
    p50_ms: latencies.length ? percentile(latencies, 50) : NaN,
    p99_ms: latencies.length ? percentile(latencies, 99) : NaN,
    // reduce, not Math.max(...): a fast floor answers more responses than a call may take arguments.
    max_ms: latencies.length ? latencies.reduce((a, b) => (b > a ? b : a), -Infinity) : NaN,
    errors: result.errors + result.timeouts,
    non_2xx: result.non2xx,
  };
}

/** Answers must be right before they are timed: one probability per row, and a 400 for a row that lacks a feature. */
async function check(app: App, path: string, rows: Array<Record<string, number>>): Promise<void> {
  const res = await fetch(`${app.probe.base}${path}`, { method: "POST", headers: headers(), body: JSON.stringify({ rows }) });
  const body = (await res.json()) as { probabilities?: number[]; error?: string };
  if (res.status !== 200 || body.probabilities?.length !== rows.length) throw new Error(`${app.label} ${path}: ${res.status} ${body.error ?? "wrong answer"}`);
  const [first] = rows;
  const lacking = Object.fromEntries(Object.entries(first).slice(1));
  const bad = await fetch(`${app.probe.base}${path}`, { method: "POST", headers: headers(), body: JSON.stringify({ rows: [lacking] }) });
  if (bad.status !== 400) throw new Error(`${app.label} ${path}: a row without "${Object.keys(first)[0]}" got ${bad.status}, not 400`);
}

/** A bare node:http server answering {} in a process of its own: what HTTP and the load tool cost here, with no framework. */
function startBareServer(): Promise<{ base: string; child: ChildProcess }> {
  const code = `require("http").createServer((q,s)=>{q.resume();q.on("end",()=>{s.setHeader("content-type","application/json");s.end("{}")})}).listen(0,"127.0.0.1",function(){process.stdout.write(String(this.address().port)+"\\n")})`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout!.once("data", (d: Buffer) => resolve({ base: `http://127.0.0.1:${d.toString().trim()}`, child }));
  });
}

/**
 * The production app over a throwaway database with the demo seed, answering on
 * a free port; `stop()` ends it and removes the database and folders. The server
 * runs in a process group of its own so that stopping it stops everything it started.
 */
async function startApp(build: boolean, compare: Array<{ dir: string; label: string }>): Promise<{ urls: string[]; stop(): Promise<void> }> {
  const env = await openThrowawayEnv("serve", say);
  process.env.ADMIN_TOKEN = randomBytes(32).toString("hex");
  process.env.API_TOKEN = process.env.ADMIN_TOKEN;
  process.env.AUTH_SECRET ??= randomBytes(32).toString("hex");
  process.env.LOG_LEVEL = "warn";
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  resetConfigForTests();
  const nextBin = path.join(PROJECT_ROOT, "node_modules/.bin/next");
  try {
    if (build || !fs.existsSync(path.join(PROJECT_ROOT, ".next/BUILD_ID"))) {
      say("building the app (next build)");
      execFileSync(nextBin, ["build"], { cwd: PROJECT_ROOT, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NODE_ENV: "production" } });
    }
    say("seeding the demo models and ensemble");
    execFileSync(process.execPath, ["--import", "tsx", "scripts/seed.ts"], { cwd: PROJECT_ROOT, stdio: ["ignore", "ignore", "inherit"] });
  } catch (err) {
    await env.close();
    throw err;
  }
  const servers: ChildProcess[] = [];
  const stop = async () => {
    for (const server of servers) {
      try {
        process.kill(-server.pid!, "SIGTERM");
      } catch {
        // already gone
      }
    }
    await env.close();
  };
  const urls: string[] = [];
  for (const app of [{ dir: PROJECT_ROOT, label: "" }, ...compare]) {
    const port = await freePort();
    // Each checkout's own way to serve: its web server, or `next start` before it had one.
    const command = fs.existsSync(path.join(app.dir, "scripts/serve.ts"))
      ? [process.execPath, "--import", "tsx", "scripts/serve.ts"]
      : [path.join(app.dir, "node_modules/.bin/next"), "start", "-H", "127.0.0.1", "-p", String(port)];
    const server = spawn(command[0], command.slice(1), {
      cwd: app.dir,
      detached: true,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, NODE_ENV: "production", HOST: "127.0.0.1", PORT: String(port) },
    });
    servers.push(server);
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const up = await fetch(`${base}/api/health`).then((r) => r.ok, () => false);
      if (up) break;
      if (i > 300 || server.exitCode !== null) {
        await stop();
        throw new Error(`the app in ${app.dir} did not answer /api/health within 60 s`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    say(`${app.label || "app"} answering on ${base}`);
    urls.push(app.label ? `${base}=${app.label}` : compare.length ? `${base}=this checkout` : base);
  }
  return { urls, stop };
}

/** One row for several rounds of a case: each figure the median of the rounds' (errors summed, so none hides). */
function medianCase(runs: CaseResult[]): CaseResult {
  const median = (pick: (r: CaseResult) => number) => percentile(runs.map(pick), 50);
  const sum = (pick: (r: CaseResult) => number) => runs.reduce((a, r) => a + pick(r), 0);
  return {
    ...runs[0],
    seconds: sum((r) => r.seconds),
    requests: sum((r) => r.requests),
    rps: median((r) => r.rps),
    p50_ms: median((r) => r.p50_ms),
    p99_ms: median((r) => r.p99_ms),
    max_ms: Math.max(...runs.map((r) => r.max_ms)),
    errors: sum((r) => r.errors),
    non_2xx: sum((r) => r.non_2xx),
    rounds: runs.length,
  };
}

function machine() {
  const cpus = os.cpus();
  return { cpus: cpus.length, cpu_model: cpus[0]?.model ?? "unknown", loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100) };
}

const ms = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : "—");

function render(report: ReturnType<typeof buildReport>): string {
  const { start, end } = report.machine;
  const lines = [
    "# Serving benchmark: predictions over HTTP",
    "",
    `Generated ${report.generated_at} by \`npm run bench:serve\` in ${Math.round(report.total_ms / 1000)} s (Node ${process.version}, ${start.cpus} CPUs: ${start.cpu_model}). Load average ${start.loadavg.join(" ")} at start, ${end.loadavg.join(" ")} at end. The app, its database and autocannon share these cores: every figure includes the load tool's own CPU.`,
    "",
    `Each case runs for ${report.seconds} s after a warm-up, app after app (which goes first turns from case to case${report.rounds > 1 ? ` and round to round; each figure is the median of ${report.rounds} rounds, requests and errors their sum` : ""}); latencies are per response (2xx only), rps counts every answer. Model: "${report.subjects.model.name}" (${report.subjects.model.features.length} features); ensemble: "${report.subjects.ensemble.name}" (${report.subjects.ensemble.features.length} features). Apps: ${report.apps.map((a) => `${a.label} = ${a.base}`).join(", ")}.`,
    "",
    "| app | case | clients | rows | requests | rps | p50 | p99 | max | errors |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...report.cases.map((c) => `| ${c.app} | ${c.case} | ${c.connections} | ${c.rows} | ${c.requests} | ${Math.round(c.rps)} | ${ms(c.p50_ms)} ms | ${ms(c.p99_ms)} ms | ${ms(c.max_ms)} ms | ${c.errors + c.non_2xx} |`),
    "",
    "## Targets",
    "",
    "| app | target | measured | met |",
    "| --- | --- | --- | --- |",
    ...report.targets.map((t) => `| ${t.app} | ${t.name} | ${t.measured} | ${t.met ? "yes" : "no"} |`),
    "",
  ];
  return lines.join("\n");
}

function targetsFor(app: string, cases: CaseResult[]) {
  const of = (name: string) => cases.find((c) => c.app === app && c.case === name);
  const out: Array<{ app: string; name: string; measured: string; met: boolean }> = [];
  for (const kind of ["model", "ensemble"]) {
    const one = of(`${kind} 1 row`);
    const many = of(`${kind} 1 row x ${CONCURRENT}`);
    const big = of(`${kind} ${MANY_ROWS} rows`);
    if (one) {
      out.push({ app, name: `${kind} 1 row p50 <= ${TARGETS.p50_1row_ms} ms`, measured: `${ms(one.p50_ms)} ms`, met: one.p50_ms <= TARGETS.p50_1row_ms });
      out.push({ app, name: `${kind} 1 row p99 <= ${TARGETS.p99_1row_ms} ms`, measured: `${ms(one.p99_ms)} ms`, met: one.p99_ms <= TARGETS.p99_1row_ms });
    }
    if (many) {
      const bad = many.errors + many.non_2xx;
      out.push({ app, name: `${kind} >= ${TARGETS.rps_16} req/s with ${CONCURRENT} clients, 0 errors`, measured: `${Math.round(many.rps)} req/s, ${bad} errors`, met: many.rps >= TARGETS.rps_16 && bad === 0 });
    }
    if (big) out.push({ app, name: `${kind} ${MANY_ROWS} rows p50 <= ${TARGETS.p50_1000rows_ms} ms`, measured: `${ms(big.p50_ms)} ms`, met: big.p50_ms <= TARGETS.p50_1000rows_ms });
  }
  return out;
}

function buildReport(input: {
  apps: App[];
  subjects: { model: Subject; ensemble: Subject };
  seconds: number;
  rounds: number;
  cases: CaseResult[];
  start: ReturnType<typeof machine>;
  totalMs: number;
}) {
  return {
    generated_at: new Date().toISOString(),
    total_ms: input.totalMs,
    node: process.version,
    seconds: input.seconds,
    rounds: input.rounds,
    machine: { start: input.start, end: machine() },
    apps: input.apps.map((a) => ({ label: a.label, base: a.probe.base })),
    subjects: input.subjects,
    cases: input.cases,
    targets: input.apps.flatMap((a) => targetsFor(a.label, input.cases)),
  };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seconds: { type: "string", default: "5" },
      "floor-path": { type: "string" },
      start: { type: "boolean" },
      build: { type: "boolean" },
      compare: { type: "string", multiple: true },
      rounds: { type: "string", default: "1" },
    },
  });
  const seconds = Number(values.seconds);
  if (!(seconds >= 1 && seconds <= 60)) throw new Error("--seconds must be from 1 to 60.");
  const rounds = Number(values.rounds);
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 9)) throw new Error("--rounds must be a whole number from 1 to 9.");
  const compare = (values.compare ?? []).map((arg) => {
    const [dir, label] = arg.split("=");
    return { dir: path.resolve(dir), label: label || path.basename(dir) };
  });
  if (compare.length && !values.start) throw new Error("--compare needs --start.");
  const own = values.start ? await startApp(values.build === true, compare) : null;
  try {
    return await measure(own ? [...own.urls, ...positionals] : positionals, seconds, rounds, values["floor-path"]);
  } finally {
    await own?.stop();
  }
}

async function measure(urls: string[], seconds: number, rounds: number, floorPath: string | undefined): Promise<void> {
  const start = machine();
  say(`load average ${start.loadavg.join(" ")} on ${start.cpus} CPUs`);
  if (!bearer()) say("no API_TOKEN or ADMIN_TOKEN: requests go without credentials and will be refused");

  const apps: App[] = (urls.length ? urls : ["http://127.0.0.1:3000"]).map((arg, i) => {
    const [url, label] = arg.split("=");
    return { label: label ?? (urls.length > 1 ? `app ${i + 1}` : "app"), probe: probe(url) };
  });
  const subjects = await findOrCreateSubjects(apps[0].probe);
  say(`model "${subjects.model.name}" (${subjects.model.id}), ensemble "${subjects.ensemble.name}" (${subjects.ensemble.id})`);

  const pathOf = (s: Subject) => `/api/${s.kind}s/${s.id}/predict`;
  const bodies = new Map<Subject, { one: string; many: string }>();
  for (const s of [subjects.model, subjects.ensemble]) {
    const one = rowsFor(s.features, 1, 1);
    const many = rowsFor(s.features, MANY_ROWS, 2);
    bodies.set(s, { one: JSON.stringify({ rows: one }), many: JSON.stringify({ rows: many }) });
    for (const app of apps) await check(app, pathOf(s), one);
  }

  const bare = await startBareServer();
  const cases: CaseResult[] = [];
  try {
    say("warming up every app");
    for (const app of apps) {
      for (const s of [subjects.model, subjects.ensemble]) {
        await load(app.probe.base, pathOf(s), bodies.get(s)!.one, CONCURRENT, 2);
        await load(app.probe.base, pathOf(s), bodies.get(s)!.many, 1, 1);
      }
    }
    const plan: Array<{ name: string; run: (app: App) => Promise<Omit<CaseResult, "app" | "case" | "rows">>; rows: number; perApp: boolean }> = [];
    for (const s of [subjects.model, subjects.ensemble]) {
      const b = bodies.get(s)!;
      plan.push({ name: `${s.kind} 1 row`, rows: 1, perApp: true, run: (app) => load(app.probe.base, pathOf(s), b.one, 1, seconds) });
      plan.push({ name: `${s.kind} 1 row x ${CONCURRENT}`, rows: 1, perApp: true, run: (app) => load(app.probe.base, pathOf(s), b.one, CONCURRENT, seconds) });
      plan.push({ name: `${s.kind} ${MANY_ROWS} rows`, rows: MANY_ROWS, perApp: true, run: (app) => load(app.probe.base, pathOf(s), b.many, 1, seconds) });
    }
    if (floorPath) {
      const floor = floorPath;
      plan.push({ name: `empty route 1 row`, rows: 1, perApp: true, run: (app) => load(app.probe.base, floor, bodies.get(subjects.model)!.one, 1, seconds) });
      plan.push({ name: `empty route 1 row x ${CONCURRENT}`, rows: 1, perApp: true, run: (app) => load(app.probe.base, floor, bodies.get(subjects.model)!.one, CONCURRENT, seconds) });
    }
    plan.push({ name: "bare node:http 1 row", rows: 1, perApp: false, run: () => load(bare.base, "/", bodies.get(subjects.model)!.one, 1, seconds) });
    plan.push({ name: `bare node:http 1 row x ${CONCURRENT}`, rows: 1, perApp: false, run: () => load(bare.base, "/", bodies.get(subjects.model)!.one, CONCURRENT, seconds) });

    for (const [index, step] of plan.entries()) {
      // Which app goes first turns from case to case and round to round: a control run serving one build twice
      // measured the first 10% lower with 16 clients. The report lists them in the apps' order.
      const targets = step.perApp ? apps : [apps[0]];
      const byApp = new Map<App, CaseResult[]>(targets.map((app) => [app, []]));
      for (let round = 0; round < rounds; round++) {
        for (const app of targets.map((_, k) => targets[(k + index + round) % targets.length])) {
          const r = await step.run(app);
          const row: CaseResult = { app: step.perApp ? app.label : "node:http", case: step.name, rows: step.rows, ...r };
          byApp.get(app)!.push(row);
          say(`${row.app} ${row.case}${rounds > 1 ? ` (round ${round + 1})` : ""}: ${Math.round(row.rps)} req/s, p50 ${ms(row.p50_ms)} ms, p99 ${ms(row.p99_ms)} ms, errors ${row.errors + row.non_2xx}`);
        }
      }
      for (const app of targets) cases.push(medianCase(byApp.get(app)!));
    }
  } finally {
    bare.child.kill();
  }

  const report = buildReport({ apps, subjects, seconds, rounds, cases, start, totalMs: say.ms() });
  writeReport("serve", report, render(report));
  for (const t of report.targets) say(`${t.app}: target ${t.met ? "met" : "MISSED"}: ${t.name}: ${t.measured}`);
  say(`load average ${report.machine.end.loadavg.join(" ")} at end; wrote bench/serve.json and bench/serve.md`);
}

runScript("bench-serve", main);
