"use server";

import { redirect } from "next/navigation";
import { actionError, startJob, stopJob } from "@/app/_lib/action-results";
import { formInput } from "@/app/_lib/form-input";
import { requireActionRole } from "@/app/_lib/session";
import type { ActionState, CancelJobResult, StartJobResult } from "@/components/action-state";
import { createEnsemble, deleteEnsemble, requestEnsembleTraining } from "@/lib/ensemble/service";
import { cancelJob } from "@/lib/jobs/cancel";

/** The ensemble form's fields as the lib's input; the lib checks the models, targets and dataset. */
function ensembleInputFromForm(formData: FormData) {
  return formInput(formData, { lists: ["base_model_ids"], optional: ["meta_model_type", "seed"] });
}

export async function createEnsembleAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  let id: string;
  try {
    await requireActionRole("editor");
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
    await requireActionRole("editor");
    await deleteEnsemble(ensembleId);
  } catch (err) {
    return actionError(err, "deleteEnsemble");
  }
  redirect("/ensembles");
}
