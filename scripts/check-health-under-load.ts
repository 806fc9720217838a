// Measures how fast the web server answers GET /api/health while it takes
// uploads that used to hold up its event loop:
//   (a) a CSV just under the 50 MB upload limit, streamed to the server;
//   (b) a CSV whose header has 40,000 columns, which must be refused (400).
//   npm run bench:health-under-load -- [BASE_URL]    (default http://127.0.0.1:3000)
// API_TOKEN, when set, is sent as a bearer token. Prints p50/p99/max per case
// and whether p99 stayed under 100 ms. Case (a) leaves its dataset stored on the
// server (there is no API to delete datasets).
import { percentile } from "@/lib/evaluation/stats";
import { syntheticCsv } from "@/lib/ml/synthetic";
import { healthWhile, probe, summary } from "./health-probe";

const P99_BUDGET_MS = 100;
const app = probe(process.argv[2]);

/** The largest synthetic CSV not over `maxBytes`. */
function csvUpTo(maxBytes: number): string {
  const sample = syntheticCsv(1000, 5);
  const rows = Math.floor((maxBytes / Buffer.byteLength(sample)) * 1000 * 0.995);
  let text = syntheticCsv(rows, 5);
  while (Buffer.byteLength(text) > maxBytes) text = text.slice(0, text.lastIndexOf("\n", text.length - 2) + 1);
  return text;
}

function verdict(label: string, run: { latencies: number[]; failures: number }): string {
  const p99 = percentile(run.latencies, 99);
  const failed = run.failures > 0 ? ` (${run.failures} answers were not 200)` : "";
  return `${summary(label, run.latencies)}${failed}  -> p99 ${p99 < P99_BUDGET_MS ? "<" : ">="} ${P99_BUDGET_MS} ms: ${p99 < P99_BUDGET_MS ? "yes" : "NO"}`;
}

async function main() {
  // The first answers include compiling the route and opening the database connection.
  for (let i = 0; i < 5; i++) await app.timedHealth();
  const idle: number[] = [];
  for (let i = 0; i < 50; i++) {
    idle.push(await app.timedHealth());
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(summary("idle                 ", idle));

  // Encoded up front, so that this process is not busy converting text while it measures.
  const big = Buffer.from(csvUpTo(50 * 1024 * 1024 - 64 * 1024));
  const name = `health-under-load-${Date.now()}`;
  console.log(`(a) uploading ${(big.length / 1024 / 1024).toFixed(1)} MB as ${name}.csv`);
  const t0 = performance.now();
  const upload = app.fetch(`/api/datasets?name=${name}`, { method: "POST", headers: { "content-type": "text/csv" }, body: big }).then(async (res) => ({
    status: res.status,
    body: await res.text(),
  }));
  const a = await healthWhile(app, upload);
  console.log(`    upload answered ${a.result.status} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (a.result.status !== 201) console.log(`    ${a.result.body.slice(0, 300)}`);

  const header = Array.from({ length: 40_000 }, (_, i) => `column_${i}`).join(",");
  const wide = Buffer.from(`${header}\n${header.replace(/column_\d+/g, "1")}\n`);
  const rounds = 50;
  console.log(`(b) sending a ${(wide.length / 1024).toFixed(0)} KB CSV with a 40,000-column header ${rounds} times`);
  const refusals = (async () => {
    const statuses: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const res = await app.fetch(`/api/datasets?name=${name}-wide`, { method: "POST", headers: { "content-type": "text/csv" }, body: wide });
      await res.text();
      statuses.push(res.status);
    }
    return statuses;
  })();
  const b = await healthWhile(app, refusals);
  const statuses = [...new Set(b.result)].join(", ");
  console.log(`    answered ${statuses}${statuses === "400" ? " (refused, as it should be)" : " (expected 400)"}`);

  console.log(verdict("(a) 50 MB upload      ", a));
  console.log(verdict("(b) 40,000-col header ", b));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
