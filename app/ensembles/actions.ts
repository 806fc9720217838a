"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { actionError, startJob, stopJob } from "@/app/_lib/action-results";
import type { ActionState, CancelJobResult, StartJobResult } from "@/components/action-state";
import { cancelJob } from "@/lib/jobs/cancel";
import { createEnsemble, deleteEnsemble, requestEnsembleTraining } from "@/lib/ensemble/service";

const optionalText = z
  .string()
  .nullable()
  .transform((v) => (v === null || v.trim() === "" ? undefined : v.trim()));

/** The ensemble form's fields as sent; the lib checks the models, targets and dataset. */
const EnsembleFormFields = z.object({
  name: z.string().nullable().transform((v) => v ?? ""),
  base_model_ids: z.array(z.string()),
  meta_model_type: optionalText,
  meta_training_csv: z.string().nullable().transform((v) => v ?? ""),
  seed: optionalText,
});

function ensembleInputFromForm(formData: FormData) {
  const text = (key: string) => {
    const v = formData.get(key);
    return typeof v === "string" ? v : null;
  };
  const f = EnsembleFormFields.parse({
    name: text("name"),
    base_model_ids: formData.getAll("base_model_ids").filter((v): v is string => typeof v === "string"),
    meta_model_type: text("meta_model_type"),
    meta_training_csv: text("meta_training_csv"),
    seed: text("seed"),
  });
  return {
    name: f.name,
    base_model_ids: f.base_model_ids,
    meta_training_csv: f.meta_training_csv,
    ...(f.meta_model_type ? { meta_model_type: f.meta_model_type } : {}),
    ...(f.seed ? { seed: f.seed } : {}),
  };
}

export async function createEnsembleAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  let id: string;
  try {
    id = (await createEnsemble(ensembleInputFromForm(formData))).id;
  } catch (err) {
    return actionError(err, "createEnsemble");
  }
  redirect(`/ensembles/${id}`);
}

export async function trainEnsembleAction(ensembleId: string): Promise<StartJobResult> {
  return startJob("trainEnsemble", () => requestEnsembleTraining(ensembleId));
}

export async function cancelBuildAction(jobId: string): Promise<CancelJobResult> {
  return stopJob("cancelBuild", () => cancelJob(jobId));
}

export async function deleteEnsembleAction(ensembleId: string, _prev: ActionState, _formData: FormData): Promise<ActionState> {
  try {
    await deleteEnsemble(ensembleId);
  } catch (err) {
    return actionError(err, "deleteEnsemble");
  }
  redirect("/ensembles");
}
