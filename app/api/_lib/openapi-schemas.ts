import { z } from "zod";
import "zod-openapi"; // types for the OpenAPI keys of .meta()
import type { DatasetInfo } from "@/lib/datasets";
import type { predictWithEnsemble } from "@/lib/ensemble/load";
import type { deleteEnsemble, EnsembleView } from "@/lib/ensemble/service";
import type { HealthReport } from "@/lib/health";
import type { JobView } from "@/lib/jobs/queue";
import type { deleteModel, ModelView, predictWithModel } from "@/lib/training/service";
import { BASE_SOURCES } from "@/models/Ensemble";
import { JOB_KINDS, JOB_STATUSES } from "@/models/Job";
import { TRAINING_TRIGGERS } from "@/models/ModelConfig";
import { RUN_STATUSES, TARGET_STATUSES } from "@/models/statuses";

/**
 * The shapes the API answers with, for the OpenAPI document (app/api/_lib/openapi.ts).
 * The lib builds its views as plain objects; each schema here is checked against
 * the lib's type at compile time (the `Same` lines below), so a field added,
 * renamed or retyped in a view fails `tsc` until the document says so too.
 */

const isoTime = z.iso.datetime();
// A bare int() documents the safe-integer range, which readers (and example generators) would take as typical values.
const count = z.number().int().nonnegative();
const id = z.string().meta({ description: "A 24-character hexadecimal id.", example: "66f1c2a9e4b0a1b2c3d4e5f6" });

/** What every refusal looks like (app/api/_lib/respond.ts). */
export const ErrorBody = z
  .object({
    error: z.string().meta({ description: "One sentence for people: what is wrong and what to do." }),
    fields: z
      .record(z.string(), z.array(z.string()))
      .optional()
      .meta({ description: "Messages per input field (dotted path; `_` for the body as a whole), on validation errors only." }),
  })
  .meta({ id: "Error" });

const Metrics = z
  .object({ accuracy: z.number(), log_loss: z.number(), brier: z.number(), auc: z.number(), n: count })
  .meta({ id: "Metrics", description: "Held-out scores; `n` is the number of rows scored." });

const ArtifactState = z
  .object({
    path: z.string().nullable(),
    status: z.enum(["present", "missing", "corrupt"]).meta({ description: "`present` means the file exists and its sha256 verifies." }),
    bytes: count.nullable(),
    sha256: z.string().nullable(),
    reason: z.string().optional(),
  })
  .meta({ id: "ArtifactState" });

const TrainingRun = z.object({
  run_id: z.string().nullable(),
  started_at: z.string().meta({ description: "ISO 8601 time; empty when unknown." }),
  finished_at: isoTime.nullable(),
  training_ms: z.number().nullable(),
  status: z.enum(RUN_STATUSES),
  trigger: z.enum(TRAINING_TRIGGERS),
  metrics: Metrics.nullable(),
  error: z.string().nullable(),
});

export const Model = z
  .object({
    id,
    name: z.string(),
    algorithm: z.string(),
    hyperparameters: z.record(z.string(), z.number()),
    features: z.array(z.string()),
    target: z.string(),
    training_csv: z.string(),
    calibration: z.enum(["none", "sigmoid"]),
    seed: z.number().int().min(0).max(2 ** 31 - 1),
    model_artifact_path: z.string().nullable(),
    scaler_artifact_path: z.string().nullable(),
    features_path: z.string().nullable(),
    run_id: z.string().nullable(),
    artifacts_saved_at: isoTime.nullable(),
    checksums: z.object({ model: z.string().nullable(), scaler: z.string().nullable(), features: z.string().nullable() }),
    metrics: Metrics.nullable(),
    training_ms: z.number().nullable(),
    status: z.enum(TARGET_STATUSES),
    last_error: z.string().nullable(),
    history: z.array(TrainingRun),
    created_at: isoTime.nullable(),
    updated_at: isoTime.nullable(),
    artifacts: z
      .object({ model: ArtifactState, scaler: ArtifactState, features: ArtifactState })
      .optional()
      .meta({ description: "Each artifact file's verified state; in reads, not in the answer to a create." }),
    artifacts_ok: z.boolean().optional(),
  })
  .meta({ id: "Model" });

const EnsembleRun = z.object({
  run_id: z.string().nullable(),
  started_at: z.string().meta({ description: "ISO 8601 time; empty when unknown." }),
  total_ms: z.number().nullable(),
  meta_ms: z.number().nullable(),
  status: z.enum(RUN_STATUSES),
  error: z.string().nullable(),
  metrics: Metrics.nullable(),
  base: z.array(
    z.object({
      model_id: z.string(),
      model_name: z.string().nullable(),
      run_id: z.string().nullable(),
      source: z.enum(BASE_SOURCES).meta({ description: "`artifact`: loaded from saved artifacts; `retrained`: they were missing or failed verification." }),
      ms: z.number(),
      note: z.string().nullable(),
      metrics: Metrics.nullable(),
    }),
  ),
});

export const Ensemble = z
  .object({
    id,
    name: z.string(),
    base_model_ids: z.array(z.string()),
    base_models: z.array(
      z.object({ id: z.string(), name: z.string().nullable(), run_id: z.string().nullable(), exists: z.boolean(), training_ms: z.number().nullable() }),
    ),
    meta_model_type: z.string(),
    meta_training_csv: z.string(),
    target: z.string(),
    seed: z.number().int().min(0).max(2 ** 31 - 1),
    run_id: z.string().nullable(),
    meta_model_artifact_path: z.string().nullable(),
    manifest_artifact_path: z.string().nullable(),
    artifacts_saved_at: isoTime.nullable(),
    checksums: z.object({ meta_model: z.string().nullable(), manifest: z.string().nullable() }),
    manifest: z.array(z.object({ model_id: z.string(), run_id: z.string() })),
    status: z.enum(TARGET_STATUSES),
    last_error: z.string().nullable(),
    stale: z.boolean().meta({ description: "A base model was retrained since the build; predictions are refused (409) until it is rebuilt." }),
    stale_models: z.array(z.object({ model_id: z.string(), name: z.string().nullable(), built_with: z.string(), now: z.string().nullable() })),
    runs: z.array(EnsembleRun),
    created_at: isoTime.nullable(),
    updated_at: isoTime.nullable(),
  })
  .meta({ id: "Ensemble" });

export const Job = z
  .object({
    id,
    kind: z.enum(JOB_KINDS),
    target_id: z.string(),
    status: z.enum(JOB_STATUSES),
    progress: z.number().min(0).max(1),
    message: z.string(),
    error: z.string().nullable(),
    result: z.unknown().meta({ description: "What a succeeded job produced (for training: its run_id and metrics); null before." }),
    attempts: count,
    cancel_requested: z.boolean(),
    created_at: isoTime.nullable(),
    started_at: isoTime.nullable(),
    finished_at: isoTime.nullable(),
  })
  .meta({ id: "Job" });

export const JobQueued = z.object({ job_id: id, status: z.enum(JOB_STATUSES) }).meta({ id: "JobQueued" });

export const Dataset = z
  .object({
    path: z.string().meta({ description: "The name to use as `training_csv` or `meta_training_csv`.", example: "games.csv" }),
    columns: z.array(z.string()),
    rows: count,
    bytes: count,
    created_at: isoTime.nullable(),
  })
  .meta({ id: "Dataset" });

export const Predictions = z
  .object({
    probabilities: z.array(z.number()).meta({ description: "P(target = 1) for each row, in order." }),
    run_id: z.string().meta({ description: "The training run whose artifacts answered." }),
  })
  .meta({ id: "Predictions" });

export const Deleted = z.object({ deleted: z.literal(true), removed_artifacts: count }).meta({ id: "Deleted" });

export const Health = z
  .object({
    status: z.enum(["ok", "failed"]),
    db: z.string().optional().meta({ description: "`ok`, or why the database failed; signed-in callers only." }),
    artifacts: z.string().optional().meta({ description: "`ok`, or why the artifact store failed; signed-in callers only." }),
    version: z.string().optional().meta({ description: "The app's version; signed-in callers only." }),
  })
  .meta({ id: "Health" });

// Compile-time agreement between the documented shapes and the lib's views.
// Optional fields are compared by name too: mutual assignability alone lets one side lack them.
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Same<A, B> = Mutual<A, B> extends true ? Mutual<keyof A, keyof B> : false;
type Agrees<T extends true> = T;
type HealthDetails = Omit<HealthReport, "ok"> & { status: "ok" | "failed" };
type Answer<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;
export type ViewsAgree = [
  Agrees<Same<z.output<typeof Model>, ModelView>>,
  Agrees<Same<z.output<typeof Ensemble>, EnsembleView>>,
  Agrees<Same<Omit<z.output<typeof Job>, "result">, Omit<JobView, "result">>>,
  Agrees<Same<z.output<typeof Dataset>, DatasetInfo>>,
  Agrees<Same<Required<z.output<typeof Health>>, HealthDetails>>,
  Agrees<Same<z.output<typeof Predictions>, Answer<typeof predictWithModel>>>,
  Agrees<Same<z.output<typeof Predictions>, Answer<typeof predictWithEnsemble>>>,
  Agrees<Same<z.output<typeof Deleted>, Answer<typeof deleteModel>>>,
  Agrees<Same<z.output<typeof Deleted>, Answer<typeof deleteEnsemble>>>,
];
