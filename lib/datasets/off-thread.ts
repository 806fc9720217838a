import { Worker } from "node:worker_threads";
import { ThreadClient, TS_LOADER } from "@/lib/threads/client";
import type { CsvAnalysis } from "./analysis";

const csvThread = new ThreadClient<{ file: string }, CsvAnalysis>(
  "CSV worker",
  () => new Worker(new URL("./csv-worker.ts", import.meta.url), { execArgv: TS_LOADER }),
  "The CSV could not be checked (the worker thread stopped).",
);

/**
 * Reads, hashes and describes a CSV file in a worker thread. One file at a
 * time: large uploads queue behind each other instead of taking every core.
 * Refusals come back as the ValidationError describeCsv threw.
 */
export function analyzeOffThread(file: string): Promise<CsvAnalysis> {
  return csvThread.run({ file });
}
