"use server";

import { refresh } from "next/cache";
import { z } from "zod";
import { actionError } from "@/app/_lib/action-results";
import { requireActionRole } from "@/app/_lib/session";
import type { UploadState } from "@/components/datasets/upload-state";
import type { SimpleFormState } from "@/components/simple-form";
import { deleteDatasetChecked } from "@/lib/training/datasets";
import { chunksOf } from "@/app/_lib/streams";
import { saveDatasetUpload } from "@/lib/datasets";

const UploadForm = z.object({
  file: z.instanceof(File, { message: "choose a CSV file" }).refine((f) => f.size > 0, "the file is empty"),
  name: z.string().trim().optional(),
});

/** Stores an uploaded CSV (field `file`, optional `name`; the file name is used otherwise). */
export async function uploadDatasetAction(_prev: UploadState, formData: FormData): Promise<UploadState> {
  try {
    await requireActionRole("editor");
  } catch (err) {
    return { ...actionError(err, "uploadDataset"), dataset: null };
  }
  const parsed = UploadForm.safeParse({ file: formData.get("file"), name: formData.get("name") ?? undefined });
  if (!parsed.success) {
    const fieldErrors: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fieldErrors[String(issue.path[0] ?? "file")] ??= []).push(issue.message);
    return { ok: false, message: "Choose a CSV file to upload.", fieldErrors, dataset: null };
  }
  const { file, name } = parsed.data;
  try {
    const dataset = await saveDatasetUpload({ name: name || file.name, body: chunksOf(file.stream()) });
    refresh();
    return { ok: true, message: `Saved ${dataset.path}: ${dataset.rows} rows, ${dataset.columns.length} columns.`, fieldErrors: {}, dataset };
  } catch (err) {
    return { ...actionError(err, "uploadDataset"), dataset: null };
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
