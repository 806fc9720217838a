"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { actionError, startJob, stopJob } from "@/app/_lib/action-results";
import type { ActionState, CancelJobResult, StartJobResult } from "@/components/action-state";
import { cancelJob } from "@/lib/jobs/cancel";
import { estimateTrainingSeconds } from "@/lib/ml/algorithms";
import { createModelConfig, deleteModel, requestTraining, updateModelConfig } from "@/lib/training/service";

const HYPERPARAMETER_PREFIX = "hyperparameters.";

const text = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** The model form's fields as strings; the lib validates meaning and ranges. */
const ModelFormFields = z.object({
  name: z.string().default(""),
  algorithm: z.string().default(""),
  target: z.string().default(""),
  training_csv: z.string().default(""),
  calibration: text,
  seed: text,
  features: z.array(z.string()),
  hyperparameters: z.record(z.string(), z.string()),
});

/**
 * FormData -> the lib's input shape. Hyperparameters arrive as
 * `hyperparameters.<name>` fields; an empty one means "use the default", any
 * other text is passed on as a number (NaN when it is not one, which the lib
 * reports as "must be a number").
 */
function modelInputFromForm(formData: FormData) {
  const raw: Record<string, string> = {};
  const hyper: Record<string, string> = {};
  for (const [key, value] of formData.entries()) {
    if (typeof value !== "string") continue;
    if (key.startsWith(HYPERPARAMETER_PREFIX)) hyper[key.slice(HYPERPARAMETER_PREFIX.length)] = value;
    else if (key !== "features") raw[key] = value;
  }
  const fields = ModelFormFields.parse({
    name: raw.name,
    algorithm: raw.algorithm,
    target: raw.target,
    training_csv: raw.training_csv,
    calibration: raw.calibration,
    seed: raw.seed,
    features: formData.getAll("features").filter((v): v is string => typeof v === "string"),
    hyperparameters: hyper,
  });
  const hyperparameters = Object.fromEntries(
    Object.entries(fields.hyperparameters)
      .filter(([, v]) => v.trim() !== "")
      .map(([k, v]) => [k, Number(v.trim())]),
  );
  return {
    name: fields.name,
    algorithm: fields.algorithm,
    hyperparameters,
    features: fields.features,
    target: fields.target,
    training_csv: fields.training_csv,
    ...(fields.calibration ? { calibration: fields.calibration } : {}),
    ...(fields.seed ? { seed: fields.seed } : {}),
  };
}

export async function createModelAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  let id: string;
  try {
    id = (await createModelConfig(modelInputFromForm(formData))).id;
  } catch (err) {
    return actionError(err, "createModel");
  }
  redirect(`/models/${id}`);
}

export async function updateModelAction(modelId: string, _prev: ActionState, formData: FormData): Promise<ActionState> {
  try {
    await updateModelConfig(modelId, modelInputFromForm(formData));
  } catch (err) {
    return actionError(err, "updateModel");
  }
  redirect(`/models/${modelId}`);
}

export async function trainModelAction(modelId: string): Promise<StartJobResult> {
  return startJob("trainModel", () => requestTraining(modelId));
}

export async function cancelTrainingAction(jobId: string): Promise<CancelJobResult> {
  return stopJob("cancelTraining", () => cancelJob(jobId));
}

export async function deleteModelAction(modelId: string, _prev: ActionState, _formData: FormData): Promise<ActionState> {
  try {
    await deleteModel(modelId);
  } catch (err) {
    return actionError(err, "deleteModel");
  }
  redirect("/models");
}

const EstimateInput = z.object({
  algorithm: z.string(),
  hyperparameters: z.record(z.string(), z.number().finite()),
  rows: z.number().int().min(0).max(1e9),
  features: z.number().int().min(0).max(10_000),
});

/** The model form's expected training time; null for settings no estimate can be given for. */
export async function estimateTrainingAction(input: unknown): Promise<number | null> {
  const parsed = EstimateInput.safeParse(input);
  if (!parsed.success) return null;
  const { algorithm, hyperparameters, rows, features } = parsed.data;
  try {
    return estimateTrainingSeconds(algorithm, hyperparameters, rows, features);
  } catch {
    return null;
  }
}
