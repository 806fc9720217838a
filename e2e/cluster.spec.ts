import fs from "node:fs";
import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import { DEFAULT_CACHE_FOLDER } from "@/lib/config";
import { openCluster, type Cluster, type ClusterNode } from "../scripts/local-cluster";
import { gamesCsv } from "./support";

// Two web nodes and two workers on one FerretDB, as a team that outgrew one
// machine runs them: each node has its own empty DATA_DIR, the artifacts and
// datasets are in GridFS (ARTIFACT_DIR=gridfs://…), and every request goes
// through a node's HTTP API with the ADMIN_TOKEN. The web nodes serve the
// build the end-to-end tests use.
let cluster: Cluster;
let webA: ClusterNode;
let webB: ClusterNode;
let workers: ClusterNode[] = [];
let a: APIRequestContext;
let b: APIRequestContext;

test.setTimeout(240_000);

test.beforeAll(async () => {
  test.setTimeout(240_000);
  cluster = await openCluster({
    label: "cluster-e2e",
    distDir: process.env.NEXT_DIST_DIR ?? ".next-e2e",
    // The worker that notices a dead one polls often, so the test waits seconds, not minutes.
    env: { JOB_POLL_MS: "200" },
  });
  [webA, webB, ...workers] = await Promise.all([
    cluster.startWeb("web-a"),
    cluster.startWeb("web-b"),
    cluster.startWorker("worker-1"),
    cluster.startWorker("worker-2"),
  ]);
  const context = (node: ClusterNode) =>
    playwrightRequest.newContext({ baseURL: node.url, extraHTTPHeaders: { authorization: `Bearer ${cluster.adminToken}` } });
  [a, b] = await Promise.all([context(webA), context(webB)]);
});

test.afterAll(async () => {
  await Promise.all([a?.dispose(), b?.dispose()]);
  await cluster?.stop();
});

test.afterEach(async ({}, info) => {
  if (info.status !== info.expectedStatus && cluster) await info.attach("cluster output", { body: cluster.tails(40) });
});

async function ok<T>(res: Awaited<ReturnType<APIRequestContext["get"]>>, status = 200): Promise<T> {
  expect(res.status(), await res.text()).toBe(status);
  return (await res.json()) as T;
}

async function upload(node: APIRequestContext, name: string, csv: string): Promise<string> {
  const res = await node.post(`/api/datasets?name=${name}`, { headers: { "content-type": "text/csv" }, data: csv });
  return (await ok<{ path: string }>(res, 201)).path;
}

interface JobView {
  status: string;
  progress: number;
  attempts: number;
  error: string | null;
  result: { run_id?: string } | null;
}

async function waitForJob(node: APIRequestContext, jobId: string, done: (j: JobView) => boolean, what: string, ms = 120_000): Promise<JobView> {
  const end = Date.now() + ms;
  for (;;) {
    const job = await ok<JobView>(await node.get(`/api/jobs/${jobId}`));
    if (done(job)) return job;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the job is ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const finished = (j: JobView) => ["succeeded", "failed", "cancelled"].includes(j.status);

async function train(via: APIRequestContext, path: string, pollVia: APIRequestContext): Promise<JobView> {
  const { job_id } = await ok<{ job_id: string }>(await via.post(`${path}/train`), 202);
  const job = await waitForJob(pollVia, job_id, finished, `${path} to train`);
  expect(job, JSON.stringify(job)).toMatchObject({ status: "succeeded", attempts: 1 });
  return job;
}

/** Every "job started" record of every worker, by job and attempt: which job, which attempt, where. */
function jobStarts(): Array<{ job: string; attempt: number; worker: string }> {
  return workers
    .flatMap((w) => w.logs.filter((l) => l.msg === "job started").map((l) => ({ job: String(l.job_id), attempt: Number(l.attempt), worker: w.name })))
    .sort((x, y) => x.job.localeCompare(y.job) || x.attempt - y.attempt);
}

/** What a node keeps on its own disk: nothing once uploads have finished, since datasets and artifacts are in the database. */
/**
 * What a node keeps in its DATA_DIR, less its cache (CACHE_DIR, inside DATA_DIR by default), which holds only copies of
 * what it read or derived from the shared content, by checksum or file identity: any node can make them again.
 */
const localFiles = () => [webA, webB, ...workers].flatMap((n) => fs.readdirSync(n.dataDir).filter((f) => f !== DEFAULT_CACHE_FOLDER).map((f) => `${n.name}/${f}`));

const rows = [
  { f1: 0.4, f2: -1.2, f3: 0.3, f4: 2.1 },
  { f1: -0.7, f2: 0.5, f3: -1.4, f4: 0.2 },
  { f1: 1.9, f2: 0.1, f3: 0.8, f4: -0.6 },
];

test("upload through web A, train through web B, build through A: both nodes predict the same probabilities", async () => {
  const base = await upload(a, "cluster-base", gamesCsv(1200, 3));
  const meta = await upload(a, "cluster-meta", gamesCsv(400, 4));

  const ids: string[] = [];
  for (const spec of [
    { name: "cluster-logistic", algorithm: "logistic_regression", features: ["f1", "f2"] },
    { name: "cluster-forest", algorithm: "random_forest", hyperparameters: { n_estimators: 10, max_depth: 4 }, features: ["f3", "f4"] },
  ]) {
    const model = await ok<{ id: string }>(await b.post("/api/models", { data: { ...spec, target: "home_win", training_csv: base } }), 201);
    await train(b, `/api/models/${model.id}`, a);
    ids.push(model.id);
  }

  const ensemble = await ok<{ id: string }>(await a.post("/api/ensembles", { data: { name: "cluster-stack", base_model_ids: ids, meta_training_csv: meta } }), 201);
  await train(a, `/api/ensembles/${ensemble.id}`, b);
  const built = await ok<{ runs: Array<{ status: string; base: Array<{ source: string }> }> }>(await b.get(`/api/ensembles/${ensemble.id}`));
  expect(built.runs.at(-1)?.base.map((x) => x.source)).toEqual(["artifact", "artifact"]);

  const forestRows = rows.map(({ f3, f4 }) => ({ f3, f4 }));
  for (const [path, input] of [[`/api/ensembles/${ensemble.id}`, rows], [`/api/models/${ids[1]}`, forestRows]] as const) {
    const fromA = await ok<{ probabilities: number[] }>(await a.post(`${path}/predict`, { data: { rows: input } }));
    const fromB = await ok<{ probabilities: number[] }>(await b.post(`${path}/predict`, { data: { rows: input } }));
    expect(fromA.probabilities).toHaveLength(rows.length);
    expect(fromB.probabilities).toEqual(fromA.probabilities);
  }

  // Each node reads the models' artifacts as verified, and no node holds a file of its own.
  for (const node of [a, b]) {
    const { models } = await ok<{ models: Array<{ artifacts_ok: boolean }> }>(await node.get("/api/models?limit=50"));
    expect(models.map((m) => m.artifacts_ok)).toEqual([true, true]);
  }
  expect(localFiles()).toEqual([]);
});

test("a worker killed with SIGKILL during a forest: the other finishes it, with one new run and no job run twice", async () => {
  const data = await upload(a, "cluster-forest-data", gamesCsv(1500, 5));
  // The library's CART costs O(rows^2) per node: a few seconds here, long enough to kill in the middle.
  const forest = await ok<{ id: string }>(
    await a.post("/api/models", {
      data: {
        name: "cluster-slow-forest",
        algorithm: "random_forest",
        hyperparameters: { engine: "ml-random-forest", n_estimators: 24, max_depth: 6, max_samples: 500 },
        features: ["f1", "f2", "f3", "f4"],
        target: "home_win",
        training_csv: data,
      },
    }),
    201,
  );
  const quick: string[] = [];
  for (const i of [1, 2]) {
    const m = await ok<{ id: string }>(await b.post("/api/models", { data: { name: `cluster-quick-${i}`, algorithm: "logistic_regression", features: ["f1", `f${i + 2}`], target: "home_win", training_csv: data } }), 201);
    quick.push(m.id);
  }
  const { job_id } = await ok<{ job_id: string }>(await b.post(`/api/models/${forest.id}/train`), 202);
  const running = await waitForJob(a, job_id, (j) => (j.status === "running" && j.progress >= 0.15) || finished(j), "the forest to be under way");
  expect(running).toMatchObject({ status: "running", attempts: 1 });
  // Queued while the forest runs: the other worker takes them, and each runs once whatever happens to the first.
  const quickJobs = [];
  for (const [i, id] of quick.entries()) quickJobs.push((await ok<{ job_id: string }>(await (i === 0 ? a : b).post(`/api/models/${id}/train`), 202)).job_id);

  const first = jobStarts().filter((s) => s.job === job_id);
  expect(first.map((s) => s.attempt)).toEqual([1]);
  const victim = workers.find((w) => w.name === first[0].worker)!;
  const survivor = workers.find((w) => w !== victim)!;
  await cluster.kill9(victim);

  const done = await waitForJob(b, job_id, finished, "the survivor to finish the forest");
  expect(done, JSON.stringify(done)).toMatchObject({ status: "succeeded", attempts: 2 });
  expect(jobStarts().filter((s) => s.job === job_id)).toEqual([
    { job: job_id, attempt: 1, worker: victim.name },
    { job: job_id, attempt: 2, worker: survivor.name },
  ]);

  // Exactly one new run: the survivor's, which is the model's current version.
  const model = await ok<{ run_id: string; status: string; versions: Array<{ run_id: string; status: string }> }>(await b.get(`/api/models/${forest.id}`));
  expect(model.status).toBe("trained");
  expect(model.versions.map((v) => [v.run_id, v.status])).toEqual([[model.run_id, "succeeded"]]);
  expect(done.result?.run_id).toBe(model.run_id);

  // No job ran twice: every other job this cluster ran started once, on one worker, at its first attempt.
  for (const id of quickJobs) expect(await waitForJob(a, id, finished, `quick job ${id}`)).toMatchObject({ status: "succeeded", attempts: 1 });
  const others = jobStarts().filter((s) => s.job !== job_id);
  expect(others.map((s) => s.job)).toEqual(expect.arrayContaining(quickJobs));
  expect(others.every((s) => s.attempt === 1)).toBe(true);
  expect(new Set(others.map((s) => s.job)).size).toBe(others.length);

  const fromA = await ok<{ probabilities: number[] }>(await a.post(`/api/models/${forest.id}/predict`, { data: { rows } }));
  const fromB = await ok<{ probabilities: number[] }>(await b.post(`/api/models/${forest.id}/predict`, { data: { rows } }));
  expect(fromB.probabilities).toEqual(fromA.probabilities);
  expect(survivor.alive()).toBe(true);
});
