import { z } from "zod";
import { algorithmSchema } from "@/lib/ml/algorithms";
import { seedSchema } from "@/lib/ml/random";

const objectId = z.string().regex(/^[a-f0-9]{24}$/i, "not a valid model id");

export const EnsembleInput = z
  .object({
    name: z.string().trim().min(1, "give the ensemble a name").max(100, "use at most 100 characters"),
    base_model_ids: z
      .array(objectId)
      .min(2, "choose two or more base models")
      .max(20, "at most 20 base models")
      .refine((ids) => new Set(ids).size === ids.length, "a base model is listed twice"),
    meta_model_type: algorithmSchema.default("logistic_regression"),
    meta_training_csv: z.string().trim().min(1, "choose the meta training dataset").max(300),
    seed: seedSchema,
  })
  .strict();

export type EnsembleInput = z.infer<typeof EnsembleInput>;
