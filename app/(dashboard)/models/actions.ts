"use server";

import { refresh } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { actionError, startJob, stopJob } from "@/app/_lib/action-results";
import { formInput } from "@/app/_lib/form-input";
import { requireActionRole } from "@/app/_lib/session";
import type { ActionState, CancelJobResult, StartJobResult } from "@/components/action-state";
import type { SimpleFormState } from "@/components/simple-form";
import { cancelJob } from "@/lib/jobs/cancel";
import { estimateTrainingSeconds } from "@/lib/ml/algorithms";
import { createModelConfig, deleteModel, requestTraining, updateModelConfig } from "@/lib/training/service";
import { promoteVersion } from "@/lib/training/versions";
import { importBundle } from "@/lib/bundles";
import { importArchive, looksLikeZip } from "@/lib/bundles/archive";

/** The model form's fields as the lib's input; the lib validates meaning and ranges. */
function modelInputFromForm(formData: FormData) {
  return formInput(formData, { lists: ["features"], optional: ["calibration", "seed"], valueGroups: ["hyperparameters"] });
}

export async function createModelAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  let id: string;
  try {
    await requireActionRole("editor");
    id = (await createModelConfig(modelInputFromForm(formData))).id;
  } catch (err) {
    return actionError(err, "createModel");
  }
  redirect(`/models/${id}`);
}

export async function updateModelAction(modelId: string, _prev: ActionState, formData: FormData): Promise<ActionState> {
  try {
    await requireActionRole("editor");
    await updateModelConfig(modelId, modelInputFromForm(formData));
  } catch (err) {
    return actionError(err, "updateModel");
  }
  redirect(`/models/${modelId}`);
}

export async function trainModelAction(modelId: string): Promise<StartJobResult> {
  return startJob("trainModel", (who) => requestTraining(modelId, who));
}

export async function cancelTrainingAction(jobId: string): Promise<CancelJobResult> {
  return stopJob("cancelTraining", () => cancelJob(jobId));
}

export async function deleteModelAction(modelId: string, _prev: ActionState, _formData: FormData): Promise<ActionState> {
  try {
    await requireActionRole("editor");
    await deleteModel(modelId);
  } catch (err) {
    return actionError(err, "deleteModel");
  }
  redirect("/models");
}

const EstimateInput = z.object({
  algorithm: z.string(),
  hyperparameters: z.record(z.string(), z.union([z.number().finite(), z.string().max(100)])),
  rows: z.number().int().min(0).max(1e9),
  features: z.number().int().min(0).max(10_000),
});

/** The model form's expected training time; null for settings no estimate can be given for. */
export async function estimateTrainingAction(input: unknown): Promise<number | null> {
  if (!(await requireActionRole("editor").catch(() => null))) return null;
  const parsed = EstimateInput.safeParse(input);
  if (!parsed.success) return null;
  const { algorithm, hyperparameters, rows, features } = parsed.data;
  try {
    return estimateTrainingSeconds(algorithm, hyperparameters, rows, features);
  } catch {
    return null;
  }
}

/** Makes an earlier version the current one (a rollback), as the signed-in editor. */
export async function promoteVersionAction(modelId: string, runId: string, _prev: SimpleFormState, _form: FormData): Promise<SimpleFormState> {
  try {
    const who = await requireActionRole("editor");
    const moved = await promoteVersion(modelId, runId, { id: who.userId, name: who.name });
    refresh();
    return { ok: true, message: `Run ${moved.to} is the current version again.`, fieldErrors: {} };
  } catch (err) {
    return actionError(err, "promoteVersion");
  }
}

/**
 * Imports a bundle file exported by another deployment (or this one): a
 * version's .bundle.zip archive, or a .bundle.json with its models and its
 * ensemble if it has one. "Import as" renames an archive's model.
 */
export async function importBundleAction(_prev: SimpleFormState, form: FormData): Promise<SimpleFormState> {
  try {
    await requireActionRole("editor");
    const file = form.get("bundle");
    const rename = form.get("name");
    const name = typeof rename === "string" && rename.trim() !== "" ? rename.trim() : undefined;
    if (!(file instanceof File) || file.size === 0) return { ok: false, message: "Choose a bundle file.", fieldErrors: { bundle: ["choose a .bundle.zip or .bundle.json file"] } };
    const bytes = new Uint8Array(await file.arrayBuffer());
    let imported;
    if (looksLikeZip(bytes)) {
      imported = await importArchive(bytes, { name });
    } else {
      if (name) return { ok: false, message: "Only a version's archive (.bundle.zip) can be imported under another name.", fieldErrors: { name: ["leave empty for a .bundle.json"] } };
      let document: unknown;
      try {
        document = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        return { ok: false, message: "That file is not a bundle (neither a zip archive nor JSON).", fieldErrors: { bundle: ["not a .bundle.zip or .bundle.json"] } };
      }
      imported = await importBundle(document);
    }
    refresh();
    const what = imported.ensemble ? `the ensemble "${imported.ensemble.name}" and ` : "";
    return { ok: true, message: `Imported ${what}${imported.models.map((m) => `"${m.name}" (run ${m.run_id})`).join(", ")}.`, fieldErrors: {} };
  } catch (err) {
    return actionError(err, "importBundle");
  }
}
