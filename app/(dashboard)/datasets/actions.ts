"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { actionError } from "@/app/_lib/action-results";
import { requireActionRole } from "@/app/_lib/session";
import type { UploadState } from "@/components/datasets/upload-state";
import type { SimpleFormState } from "@/components/simple-form";
import { deleteDatasetChecked } from "@/lib/training/datasets";
import { chunksOf } from "@/app/_lib/streams";
import { buildFeatureDataset, storeDataset } from "@/lib/forecast/datasets";

const UploadForm = z.object({
  file: z.instanceof(File, { message: "choose a CSV file" }).refine((f) => f.size > 0, "the file is empty"),
  name: z.string().trim().optional(),
  kind: z.string().optional(),
});

/** Stores an uploaded CSV (field `file`, optional `name`, the file name otherwise; optional `kind`: auto, games or table). */
export async function uploadDatasetAction(_prev: UploadState, formData: FormData): Promise<UploadState> {
  try {
    await requireActionRole("editor");
  } catch (err) {
    return { ...actionError(err, "uploadDataset"), dataset: null };
  }
  const parsed = UploadForm.safeParse({ file: formData.get("file"), name: formData.get("name") ?? undefined, kind: formData.get("kind") ?? undefined });
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fieldErrors[String(issue.path[0] ?? "file")] ??= []).push(issue.message);
    return { ok: false, message: "Choose a CSV file to upload.", fieldErrors, dataset: null };
  }
  const { file, name, kind } = parsed.data;
  try {
    const dataset = await storeDataset({ name: name || file.name, body: chunksOf(file.stream()) }, kind);
    refresh();
    const what = dataset.kind === "games" ? `a games dataset of ${dataset.rows} games` : `${dataset.rows} rows, ${dataset.columns.length} columns`;
    return { ok: true, message: `Saved ${dataset.path}: ${what}.`, fieldErrors: {}, dataset };
  } catch (err) {
    return { ...actionError(err, "uploadDataset"), dataset: null };
  }
}

/** Builds a feature table from a games dataset (fields games_dataset, name, from_season, to_season) and stores it. */
export async function buildFeatureTableAction(_prev: UploadState, formData: FormData): Promise<UploadState> {
  const field = (key: string) => {
    const v = formData.get(key);
    return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
  };
  try {
    await requireActionRole("editor");
    const dataset = await buildFeatureDataset({
      games_dataset: field("games_dataset"),
      name: field("name"),
      from_season: field("from_season"),
      to_season: field("to_season"),
    });
    refresh();
    return { ok: true, message: `Saved ${dataset.path}: ${dataset.rows} games with their pre-game features.`, fieldErrors: {}, dataset };
  } catch (err) {
    return { ...actionError(err, "buildFeatureTable"), dataset: null };
  }
}

/** Deletes a dataset; refused while models train on it unless the form asks to keep them serving without retraining. */
export async function deleteDatasetAction(datasetPath: string, _prev: SimpleFormState, form: FormData): Promise<SimpleFormState> {
  try {
    await requireActionRole("editor");
    const done = await deleteDatasetChecked(datasetPath, form.get("force") === "true");
    refresh();
    const kept = done.not_retrainable.length ? ` ${done.not_retrainable.join(", ")} keep serving but cannot be trained again.` : "";
    return { ok: true, message: `Deleted ${datasetPath}.${kept}`, fieldErrors: {} };
  } catch (err) {
    return actionError(err, "deleteDataset");
  }
}
