import fs from "node:fs/promises";
import { describeCsv } from "@/lib/ml/csv";
import type { CsvFacts } from "@/lib/ml/csv-facts";
import { sha256Hex } from "./files";

/** What an upload records about its file. */
export interface CsvAnalysis {
  bytes: number;
  sha256: string;
  columns: string[];
  rows: number;
  facts: CsvFacts;
}

/** Reads, hashes and describes one CSV file. CPU-bound for large files: run it in a worker thread. */
export async function analyzeCsvFile(file: string): Promise<CsvAnalysis> {
  const data = await fs.readFile(file);
  const { columns, rows, facts } = describeCsv(data.toString("utf8"));
  return { bytes: data.length, sha256: sha256Hex(data), columns, rows, facts };
}
