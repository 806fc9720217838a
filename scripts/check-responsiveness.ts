// Measures how fast the web server answers while a model trains in the worker.
//   npm run bench:responsiveness -- [BASE_URL]     (default http://127.0.0.1:3000)
// Uploads a generated dataset, starts training a random forest sized to take tens
// of seconds, polls GET /api/health every 100 ms until the job ends, and prints
// the latency percentiles measured during training next to those measured idle.
// API_TOKEN, when set, is sent as a bearer token.
import { syntheticCsv } from "@/lib/ml/synthetic";
import { probe, summary } from "./health-probe";

const { api, timedHealth } = probe(process.argv[2]);

async function main() {
  const idle: number[] = [];
  for (let i = 0; i < 30; i++) idle.push(await timedHealth());
  console.log(summary("idle    ", idle));

  const name = `responsiveness-${Date.now()}`;
  const ds = await api<{ path: string }>(`/api/datasets?name=${name}`, {
    method: "POST",
    headers: { "content-type": "text/csv" },
    body: syntheticCsv(20_000, 1),
  });
  const model = await api<{ id: string }>("/api/models", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      name,
      algorithm: "random_forest",
      hyperparameters: { n_estimators: 30, max_samples: 1500, max_depth: 10 },
      features: ["f1", "f2", "f3", "f4"],
      target: "label",
      training_csv: ds.path,
    }),
  });
  const { job_id } = await api<{ job_id: string }>(`/api/models/${model.id}/train`, { method: "POST" });
  console.log(`training model ${model.id} (job ${job_id}); polling /api/health every 100 ms`);

  const busy: number[] = [];
  let status = "queued";
  let lastPrint = 0;
  while (status === "queued" || status === "running") {
    busy.push(await timedHealth());
    const job = await api<{ status: string; progress: number }>(`/api/jobs/${job_id}`);
    status = job.status;
    if (Date.now() - lastPrint > 5000) {
      console.log(`  ${status} ${(job.progress * 100).toFixed(0)}%  ${summary("health so far", busy)}`);
      lastPrint = Date.now();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`job ${status}`);
  console.log(summary("training", busy));
  await api(`/api/models/${model.id}`, { method: "DELETE" });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
