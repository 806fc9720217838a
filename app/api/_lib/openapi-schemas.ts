import { z } from "zod";
import "zod-openapi"; // types for the OpenAPI keys of .meta()
import type { DatasetInfo } from "@/lib/datasets";
import type { predictWithEnsemble } from "@/lib/ensemble/load";
import type { deleteEnsemble, EnsembleView, listEnsembles } from "@/lib/ensemble/service";
import type { HealthReport } from "@/lib/health";
import type { JobView, listJobs } from "@/lib/jobs/queue";
import type { deleteDatasetChecked } from "@/lib/training/datasets";
import type { deleteModel, getModel, listModels, ModelView, predictWithModel } from "@/lib/training/service";
import type { promoteVersion, VersionView } from "@/lib/training/versions";
import type { ImportResult } from "@/lib/bundles";
import { holdoutSummarySchema } from "@/lib/ensemble/holdout";
import type { ForecastAnswer } from "@/lib/forecast/service";
import { BASE_SOURCES } from "@/models/EnsembleRun";
import { JOB_KINDS, JOB_STATUSES } from "@/models/Job";
import { TRAINING_TRIGGERS } from "@/models/ModelVersion";
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

const Actor = z.object({ id: z.string(), name: z.string() }).meta({ id: "Actor", description: "Who started a run or moved a model's current version." });

const SavedArtifact = z.object({ path: z.string(), bytes: count, sha256: z.string() });

/** One training run of a model: its settings, outcome, artifacts and what produced it. */
export const Version = z
  .object({
    run_id: z.string(),
    status: z.enum(RUN_STATUSES),
    current: z.boolean().meta({ description: "This run's artifacts are the ones the model serves." }),
    retired: z.boolean().meta({ description: "The retention sweep removed its artifacts; it cannot be promoted." }),
    trigger: z.string().meta({ description: `What started it: ${TRAINING_TRIGGERS.join(", ")}.` }),
    started_by: Actor.nullable(),
    started_at: z.string().meta({ description: "ISO 8601 time; empty when unknown." }),
    finished_at: isoTime.nullable(),
    training_ms: z.number().nullable(),
    error: z.string().nullable(),
    metrics: Metrics.nullable(),
    hyperparameters: z.record(z.string(), z.number()),
    features: z.array(z.string()),
    calibration: z.string().meta({ description: "How its probabilities were calibrated: none or sigmoid." }),
    seed: z.number().int(),
    artifacts: z.object({ model: SavedArtifact, scaler: SavedArtifact, features: SavedArtifact }).nullable(),
    dataset: z.object({ path: z.string(), sha256: z.string(), rows: count }).nullable(),
    runtime: z.object({ node: z.string(), app_version: z.string(), learner: z.string(), format_version: z.number() }).nullable(),
  })
  .meta({ id: "Version" });

export const Promotion = z
  .object({ at: isoTime.nullable(), by: Actor.nullable(), from: z.string().nullable(), to: z.string() })
  .meta({ id: "Promotion", description: "A move of the model's current version (a rollback or roll-forward)." });

export const Model = z
  .object({
    id,
    name: z.string(),
    algorithm: z.string(),
    hyperparameters: z.record(z.string(), z.union([z.number(), z.string()])),
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
    retrainable: z.boolean().meta({ description: "False once its dataset was deleted on purpose: it keeps serving but cannot be trained again." }),
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
  holdout: holdoutSummarySchema.nullable().meta({
    description: "Calibration bins and log loss by season on the meta rows the build held out, beside the Elo baseline those rows carry; null in listings (an ensemble's own read has it) and for builds from before it was kept.",
  }),
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

/** A model as reads answer it: with every version and the moves of its current version. */
export const ModelDetail = Model.extend({ versions: z.array(Version), promotions: z.array(Promotion) }).meta({ id: "ModelDetail" });

export const ModelVersions = z
  .object({ current_run_id: z.string().nullable(), versions: z.array(Version), promotions: z.array(Promotion) })
  .meta({ id: "ModelVersions" });

export const Promoted = z
  .object({ model_id: z.string(), from: z.string().nullable(), to: z.string(), promoted_at: isoTime })
  .meta({ id: "Promoted" });

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
    runs: z.array(EnsembleRun).meta({ description: "Builds, oldest first: the newest 100 on one ensemble; in a listing, the newest build alone." }),
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
    kind: z.string().meta({ description: "`table` (a feature table to train on) or `games` (game results: forecasts and feature tables come from it)." }),
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

export const DatasetDeleted = z
  .object({
    deleted: z.literal(true),
    not_retrainable: z.array(z.string()).meta({ description: "Models that train on it and now only serve their current version (with ?force=true)." }),
  })
  .meta({ id: "DatasetDeleted" });

const Imported = z.object({ id, name: z.string(), run_id: z.string() });
export const BundleImported = z
  .object({ models: z.array(Imported), ensemble: Imported.nullable() })
  .meta({ id: "BundleImported", description: "The new ids; the imported models and ensemble serve at once." });

export const Deleted = z.object({ deleted: z.literal(true), removed_artifacts: count }).meta({ id: "Deleted" });

export const Health = z
  .object({
    status: z.enum(["ok", "failed"]),
    db: z.string().optional().meta({ description: "`ok`, or why the database failed; signed-in callers only." }),
    artifacts: z.string().optional().meta({ description: "`ok`, or why the artifact store failed; signed-in callers only." }),
    version: z.string().optional().meta({ description: "The app's version; signed-in callers only." }),
  })
  .meta({ id: "Health" });

const zeroOrOne = z.union([z.literal(0), z.literal(1)]);
export const Forecast = z
  .object({
    ensemble_id: z.string(),
    ensemble_name: z.string(),
    run_id: z.string().meta({ description: "The ensemble build that answered." }),
    games_dataset: z.string(),
    forecasts: z.array(
      z.object({
        date: z.string().meta({ example: "2016-04-13" }),
        season: z.number().int(),
        team1: z.string(),
        team2: z.string(),
        neutral: zeroOrOne,
        playoff: zeroOrOne,
        probability: z.number().meta({ description: "P(team1 wins), from the ensemble." }),
        base_models: z.array(z.object({ model_id: z.string(), name: z.string(), probability: z.number() })),
        elo: z
          .object({ rating1: z.number(), rating2: z.number(), probability: z.number() })
          .meta({ description: "The product's own Elo entering the game, the baseline." }),
        features: z.record(z.string(), z.number()).meta({ description: "The values the base models were given, computed from results before the date only." }),
      }),
    ),
  })
  .meta({ id: "Forecast" });

const nextCursor = z.string().nullable().meta({ description: "Pass as ?cursor= for the next page; null on the last page." });
export const ModelPage = z.object({ models: z.array(Model), next_cursor: nextCursor }).meta({ id: "ModelPage" });
export const EnsemblePage = z.object({ ensembles: z.array(Ensemble), next_cursor: nextCursor }).meta({ id: "EnsemblePage" });
export const JobPage = z.object({ jobs: z.array(Job), next_cursor: nextCursor }).meta({ id: "JobPage" });

// Compile-time agreement between the documented shapes and the lib's views.
// Optional fields are compared by name too: mutual assignability alone lets one side lack them.
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Same<A, B> = Mutual<A, B> extends true ? Mutual<keyof A, keyof B> : false;
type Agrees<T extends true> = T;
type HealthDetails = Omit<HealthReport, "ok"> & { status: "ok" | "failed" };
type Answer<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;
export type ViewsAgree = [
  Agrees<Same<z.output<typeof Model>, ModelView>>,
  Agrees<Same<z.output<typeof ModelDetail>, Answer<typeof getModel>>>,
  Agrees<Same<z.output<typeof Version>, VersionView>>,
  Agrees<Same<z.output<typeof Promoted>, Answer<typeof promoteVersion>>>,
  Agrees<Same<z.output<typeof DatasetDeleted>, Answer<typeof deleteDatasetChecked>>>,
  Agrees<Same<z.output<typeof BundleImported>, ImportResult>>,
  Agrees<Same<z.output<typeof Ensemble>, EnsembleView>>,
  Agrees<Same<z.output<typeof ModelPage>, Answer<typeof listModels>>>,
  Agrees<Same<z.output<typeof EnsemblePage>, Answer<typeof listEnsembles>>>,
  Agrees<Same<Omit<z.output<typeof JobPage>, "jobs">, Omit<Answer<typeof listJobs>, "jobs">>>,
  Agrees<Same<Omit<z.output<typeof Job>, "result">, Omit<JobView, "result">>>,
  Agrees<Same<z.output<typeof Dataset>, DatasetInfo>>,
  Agrees<Same<z.output<typeof Forecast>, ForecastAnswer>>,
  Agrees<Same<Required<z.output<typeof Health>>, HealthDetails>>,
  Agrees<Same<z.output<typeof Predictions>, Answer<typeof predictWithModel>>>,
  Agrees<Same<z.output<typeof Predictions>, Answer<typeof predictWithEnsemble>>>,
  Agrees<Same<z.output<typeof Deleted>, Answer<typeof deleteModel>>>,
  Agrees<Same<z.output<typeof Deleted>, Answer<typeof deleteEnsemble>>>,
];
