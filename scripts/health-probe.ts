// What the bench scripts that measure a running app share: the base URL, the
// API token, timed GET /api/health calls and the latency summary they print.
import { config } from "@/lib/config";
import { percentile } from "@/lib/evaluation/stats";

export interface Probe {
  base: string;
  /** fetch against the app, with the bearer token when API_TOKEN is set. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** A JSON API call; throws with the status and the app's sentence on anything but 2xx. */
  api<T>(path: string, init?: RequestInit): Promise<T>;
  /** One GET /api/health, in ms; throws unless it answers 200. */
  timedHealth(): Promise<number>;
  /** One GET /api/health: how long it took and the status, whatever it was. */
  healthSample(): Promise<{ ms: number; status: number }>;
}

export function probe(argvUrl: string | undefined): Probe {
  const base = (argvUrl ?? "http://127.0.0.1:3000").replace(/\/$/, "");
  const token = config().apiToken;
  const send = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (token) headers.set("authorization", `Bearer ${token}`);
    return fetch(`${base}${path}`, { ...init, headers });
  };
  return {
    base,
    fetch: send,
    async api<T>(path: string, init?: RequestInit): Promise<T> {
      const res = await send(path, init);
      const body = (await res.json()) as T & { error?: string };
      if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${path}: ${res.status} ${body.error ?? ""}`);
      return body;
    },
    async timedHealth(): Promise<number> {
      const { ms, status } = await this.healthSample();
      if (status !== 200) throw new Error(`/api/health answered ${status}`);
      return ms;
    },
    async healthSample() {
      const t0 = performance.now();
      const res = await send("/api/health");
      await res.text();
      return { ms: performance.now() - t0, status: res.status };
    },
  };
}

/**
 * Polls /api/health, one request after another with `gapMs` between them,
 * until `work` settles; returns the latencies, how many answers were not 200
 * (a health check that times out answers 503), and what `work` gave.
 */
export async function healthWhile<T>(p: Probe, work: Promise<T>, gapMs = 20): Promise<{ latencies: number[]; failures: number; result: T }> {
  let done = false;
  const settled = work.finally(() => (done = true));
  const latencies: number[] = [];
  let failures = 0;
  while (!done) {
    const { ms, status } = await p.healthSample();
    latencies.push(ms);
    if (status !== 200) failures++;
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return { latencies, failures, result: await settled };
}

export function summary(label: string, xs: number[]): string {
  if (xs.length === 0) return `${label}: no samples`;
  return `${label}: n=${xs.length} p50=${percentile(xs, 50).toFixed(1)} ms p99=${percentile(xs, 99).toFixed(1)} ms max=${Math.max(...xs).toFixed(1)} ms`;
}
