import { Worker } from "node:worker_threads";
import { ValidationError } from "@/lib/errors";
import { childLogger } from "@/lib/log";
import type { AnalysisAnswer, CsvAnalysis } from "./analysis";

const log = childLogger("datasets");

/** A worker left idle this long is stopped, giving back the memory a large parse used. */
const IDLE_MS = 30_000;

/**
 * Next.js bundles the worker's entry (it recognises `new Worker(new URL(...))`);
 * scripts and tests run from the TypeScript source, which tsx loads, as it loads
 * the job worker. With a bundled entry the loader is present but has nothing to do.
 */
const TS_LOADER = ["--require", "tsx/cjs"];

interface Waiting {
  resolve(analysis: CsvAnalysis): void;
  reject(err: Error): void;
}

let worker: Worker | null = null;
let idleTimer: NodeJS.Timeout | null = null;
let nextId = 1;
const waiting = new Map<number, Waiting>();

function failAll(err: Error): void {
  for (const w of waiting.values()) w.reject(err);
  waiting.clear();
}

function startWorker(): Worker {
  const w = new Worker(new URL("./csv-worker.ts", import.meta.url), { execArgv: TS_LOADER });
  w.on("message", (answer: AnalysisAnswer) => {
    const entry = waiting.get(answer.id);
    if (!entry) return;
    waiting.delete(answer.id);
    if (answer.ok) entry.resolve(answer.analysis);
    else if ("refusal" in answer) entry.reject(new ValidationError(answer.refusal.message, answer.refusal.fields));
    else entry.reject(new Error(`The CSV could not be read: ${answer.failure}`));
    settle(w);
  });
  w.on("error", (err) => {
    log.error({ err: err.message }, "CSV worker failed");
    failAll(new Error("The CSV could not be checked (the worker thread stopped)."));
  });
  w.on("exit", () => {
    if (worker === w) worker = null;
    failAll(new Error("The CSV could not be checked (the worker thread stopped)."));
  });
  return w;
}

/** While work is waiting the worker keeps the process alive; once idle it does not, and stops after a while. */
function settle(w: Worker): void {
  if (waiting.size > 0) return;
  w.unref();
  idleTimer = setTimeout(() => {
    if (worker === w && waiting.size === 0) {
      worker = null;
      void w.terminate();
    }
  }, IDLE_MS);
  idleTimer.unref();
}

/**
 * Reads, hashes and describes a CSV file in a worker thread. One file at a
 * time: large uploads queue behind each other instead of taking every core.
 * Refusals come back as the ValidationError describeCsv threw.
 */
export function analyzeOffThread(file: string): Promise<CsvAnalysis> {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  worker ??= startWorker();
  worker.ref();
  const id = nextId++;
  return new Promise<CsvAnalysis>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    worker?.postMessage({ id, file });
  });
}
