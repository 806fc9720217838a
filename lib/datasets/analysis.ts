import fs from "node:fs/promises";
import { ValidationError, type FieldErrors } from "@/lib/errors";
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

/** The answer a CSV worker sends back: plain data, since errors do not cross threads with their class. */
export type AnalysisAnswer =
  | { id: number; ok: true; analysis: CsvAnalysis }
  | { id: number; ok: false; refusal: { message: string; fields: FieldErrors } }
  | { id: number; ok: false; failure: string };

/** Reads, hashes and describes one CSV file. CPU-bound for large files: run it in a worker thread. */
export async function analyzeCsvFile(file: string): Promise<CsvAnalysis> {
  const data = await fs.readFile(file);
  const { columns, rows, facts } = describeCsv(data.toString("utf8"));
  return { bytes: data.length, sha256: sha256Hex(data), columns, rows, facts };
}

export async function answerFor(id: number, file: string): Promise<AnalysisAnswer> {
  try {
    return { id, ok: true, analysis: await analyzeCsvFile(file) };
  } catch (err) {
    if (err instanceof ValidationError) return { id, ok: false, refusal: { message: err.message, fields: err.fields } };
    return { id, ok: false, failure: err instanceof Error ? err.message : String(err) };
  }
}
