import { z } from "zod";
import {
  createDocument,
  type ZodOpenApiObject,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiRequestBodyObject,
  type ZodOpenApiResponseObject,
  type ZodOpenApiResponsesObject,
} from "zod-openapi";
import type { Role } from "@/lib/auth/roles";
import { Bundle } from "@/lib/bundles";
import { DatasetName } from "@/lib/datasets";
import { pageRequestSchema } from "@/lib/db";
import { EnsembleInput } from "@/lib/ensemble/schemas";
import { DATASET_KINDS, FeatureDatasetInput } from "@/lib/forecast/datasets";
import { ForecastInput, GameInput, MAX_FORECAST_GAMES } from "@/lib/forecast/service";
import { algorithmNames, algorithmSchema } from "@/lib/ml/algorithms";
import { PredictInput } from "@/lib/ml/matrix";
import { ModelConfigInput, ModelConfigPatch } from "@/lib/training/schemas";
import {
  BundleImported,
  Dataset,
  DatasetDeleted,
  Deleted,
  Ensemble,
  EnsemblePage,
  ErrorBody,
  Forecast,
  Health,
  Job,
  JobPage,
  JobQueued,
  Model,
  ModelDetail,
  ModelPage,
  ModelVersions,
  Predictions,
  Promoted,
} from "./openapi-schemas";

/**
 * The API's OpenAPI 3.1 document, served at /api/openapi.json and rendered at
 * /api/docs. Request bodies are the zod schemas the routes parse with; answers
 * are the shapes in ./openapi-schemas.ts. Every route file under app/api has
 * its entry in `paths` below (app/api/openapi.test.ts fails otherwise).
 */

/** Who may call: nobody needs to sign in (`public`), credentials are optional (`optional`), or at least this role. */
type Access = "public" | "optional" | Role;

/** The refusals an entry names; 401, 403 and 503 follow from its access. */
type Refusal = 400 | 404 | 409 | 413 | 415;

const jsonContent = (schema: z.ZodType) => ({ "application/json": { schema } });

function refusal(id: string, description: string): ZodOpenApiResponseObject {
  return { id, description, content: jsonContent(ErrorBody) };
}

// Registered once (each has an id), so every operation refers to the same component.
const refusals = {
  400: refusal("BadRequest", "The input is not valid; `error` says why and `fields` names each field at fault. Nothing was changed."),
  401: refusal("Unauthorized", "No credentials, or a token that is malformed, unknown or revoked."),
  403: refusal(
    "Forbidden",
    "The caller's role is too low; or the request named a host the app does not answer to, or came from another site and would change something.",
  ),
  404: refusal("NotFound", "Nothing has that id (or name)."),
  409: refusal("Conflict", "The target's state refuses this now: a job holds it, it has no usable artifacts yet, it is stale, or something depends on it."),
  413: refusal("PayloadTooLarge", "The body is larger than this endpoint takes; it was not read further."),
  415: refusal("UnsupportedMediaType", "The body's content-type is not one this endpoint takes."),
  503: refusal("Unavailable", "The database cannot be reached."),
} satisfies Record<Refusal | 401 | 403 | 503, ZodOpenApiResponseObject>;

const SIGNED_IN: Array<Record<string, string[]>> = [{ session: [] }, { bearer: [] }];

function securityOf(access: Access) {
  if (access === "public") return [];
  if (access === "optional") return [{}, ...SIGNED_IN];
  return SIGNED_IN;
}

interface Entry {
  operationId: string;
  summary: string;
  description?: string;
  tag: Tag;
  access: Access;
  path?: z.ZodObject;
  query?: z.ZodObject;
  body?: ZodOpenApiRequestBodyObject;
  responses: ZodOpenApiResponsesObject;
  refuses?: Refusal[];
  /** Left out of the rendered reference (still in the document). */
  internal?: boolean;
}

/** One operation: its access decides its security and the 401/403/503 answers. */
function op(e: Entry): ZodOpenApiOperationObject {
  const role = e.access === "public" || e.access === "optional" ? null : e.access;
  const needs = role ? `Needs the ${role} role.` : e.access === "optional" ? "Credentials are optional." : "Needs no credentials.";
  const responses: ZodOpenApiResponsesObject = { ...e.responses };
  for (const status of e.refuses ?? []) responses[`${status}`] = refusals[status];
  if (role) Object.assign(responses, { 401: refusals[401], 503: refusals[503] });
  responses["403"] = refusals[403]; // the Host allow-list runs for every path (proxy.ts)
  return {
    operationId: e.operationId,
    summary: e.summary,
    description: [e.description, needs].filter(Boolean).join("\n\n"),
    tags: [e.tag],
    security: securityOf(e.access),
    ...(role ? { "x-required-role": role } : {}),
    ...(e.internal ? { "x-internal": true } : {}),
    ...(e.path || e.query ? { requestParams: { ...(e.path ? { path: e.path } : {}), ...(e.query ? { query: e.query } : {}) } } : {}),
    ...(e.body ? { requestBody: e.body } : {}),
    responses,
  };
}

const TAGS = {
  Models: "Model configs, their training and predictions from their saved artifacts.",
  Ensembles: "Stacking ensembles built from trained models.",
  Forecasts: "Who wins a game on a date: an ensemble's answer from features the product computes out of a games dataset.",
  Bundles: "A model or an ensemble with its artifacts as one portable file, and its import on another deployment.",
  Datasets: "CSV files: feature tables that models train on, and games datasets (results) that forecasts and feature tables come from.",
  Jobs: "Training and ensemble builds run by the workers.",
  Health: "Whether the app can serve.",
  Reference: "This document and its rendered reference.",
} as const;
type Tag = keyof typeof TAGS;

const ok = (description: string, schema: z.ZodType): ZodOpenApiResponseObject => ({ description, content: jsonContent(schema) });

const jsonBody = (schema: z.ZodType, limit: string): ZodOpenApiRequestBodyObject => ({
  required: true,
  description: `JSON, at most ${limit}.`,
  content: jsonContent(schema),
});

const byId = (what: string) =>
  z.object({ id: z.string().meta({ description: `The ${what}'s id (24 hexadecimal characters).`, example: "66f1c2a9e4b0a1b2c3d4e5f6" }) });

const datasetName = DatasetName.meta({
  description: "Letters, digits, '.', '_' and '-', at most 80 characters; a trailing .csv is dropped and added back to the stored file.",
  example: "games",
});

const datasetKind = z.enum(DATASET_KINDS).meta({
  description: "`auto` (the default): a header with date, season, team1, team2, score1 and score2 makes a games dataset, checked row by row; `games` insists on it; `table` stores any CSV as a plain table.",
});

/** ?limit and ?cursor, with the listings' own rules. */
const paged = z.object({
  limit: pageRequestSchema.shape.limit.meta({ param: { description: "How many per page." } }),
  cursor: pageRequestSchema.shape.cursor.meta({ param: { description: "The previous page's next_cursor; leave out for the first page." } }),
});

const bundle = Bundle.meta({ id: "Bundle", description: "A model's current version, or an ensemble with its base models, with every artifact's text and checksum." });

/** A JSON file the browser saves rather than shows. */
const attachment = (description: string, schema: z.ZodType): ZodOpenApiResponseObject => ({
  description,
  headers: { "content-disposition": { description: "attachment; filename=\"<name>.bundle.json\"", schema: { type: "string" } } },
  content: jsonContent(schema),
});

/** A zip archive the browser saves. */
const archive = (description: string): ZodOpenApiResponseObject => ({
  description,
  headers: { "content-disposition": { description: "attachment; filename=\"<name>-<run_id>.bundle.zip\"", schema: { type: "string" } } },
  content: { "application/zip": { schema: z.string().meta({ format: "binary", contentMediaType: "application/zip" }) } },
});

// The route checks each game on its own (so every game's problems are named); documented here as the list it takes.
const forecastRequest = ForecastInput.extend({
  games: z.array(GameInput).min(1).max(MAX_FORECAST_GAMES).meta({ description: `The games to forecast, at most ${MAX_FORECAST_GAMES}; team1 is the home team.` }),
});

const queued = (what: string) => ({ 202: ok(`${what} is queued; follow it at GET /api/jobs/{job_id}.`, JobQueued) });

export const paths = {
  "/api/models": {
    get: op({
      operationId: "listModels",
      summary: "List models",
      description: "Each with the verified state of its artifact files, a page at a time.",
      tag: "Models",
      access: "viewer",
      query: paged,
      responses: { 200: ok("A page of models, oldest first.", ModelPage) },
      refuses: [400],
    }),
    post: op({
      operationId: "createModel",
      summary: "Create a model config",
      description: "Checked against its dataset first: the columns exist and are numbers, the target is 0/1 with both classes, the hyperparameters suit the algorithm and the estimated training time is within MAX_TRAINING_SECONDS.",
      tag: "Models",
      access: "editor",
      body: jsonBody(ModelConfigInput, "1 MB"),
      responses: { 201: ok("Created, untrained.", Model) },
      refuses: [400, 413, 415],
    }),
  },
  "/api/models/{id}": {
    get: op({
      operationId: "getModel",
      summary: "Read a model",
      tag: "Models",
      access: "viewer",
      path: byId("model"),
      responses: { 200: ok("The model, with its artifacts' verified state, its versions and the moves of its current version.", ModelDetail) },
      refuses: [404],
    }),
    patch: op({
      operationId: "updateModel",
      summary: "Change a model config",
      description: "Only the fields sent change. The saved artifacts keep serving predictions until the model is trained again.",
      tag: "Models",
      access: "editor",
      path: byId("model"),
      body: jsonBody(ModelConfigPatch, "1 MB"),
      responses: { 200: ok("The changed model.", ModelDetail) },
      refuses: [400, 404, 409, 413, 415],
    }),
    delete: op({
      operationId: "deleteModel",
      summary: "Delete a model and its artifacts",
      description: "Refused while it trains or while an ensemble uses it.",
      tag: "Models",
      access: "editor",
      path: byId("model"),
      responses: { 200: ok("Deleted.", Deleted) },
      refuses: [404, 409, 415],
    }),
  },
  "/api/models/{id}/train": {
    post: op({
      operationId: "trainModel",
      summary: "Queue a training run",
      description:
        "One job per model at a time. Refused (400) when the estimated training time exceeds MAX_TRAINING_SECONDS, and (409) when its dataset was deleted: it then only serves its current version.",
      tag: "Models",
      access: "editor",
      path: byId("model"),
      responses: queued("The training"),
      refuses: [400, 404, 409, 415],
    }),
  },
  "/api/models/{id}/predict": {
    post: op({
      operationId: "predictWithModel",
      summary: "Predict with a trained model",
      description: "Served from the model's saved artifacts. Each row must have exactly the model's features.",
      tag: "Models",
      access: "editor",
      path: byId("model"),
      body: jsonBody(PredictInput, "5 MB"),
      responses: { 200: ok("One probability per row.", Predictions) },
      refuses: [400, 404, 409, 413, 415],
    }),
  },
  "/api/models/{id}/versions": {
    get: op({
      operationId: "listModelVersions",
      summary: "List a model's versions",
      description: "Every training run, newest first, and which one the model serves.",
      tag: "Models",
      access: "viewer",
      path: byId("model"),
      responses: { 200: ok("The versions.", ModelVersions) },
      refuses: [404],
    }),
  },
  "/api/models/{id}/versions/{run_id}/promote": {
    post: op({
      operationId: "promoteModelVersion",
      summary: "Make a version the current one",
      description: "A rollback (or roll-forward) after verifying that version's artifacts. Ensembles built on another run become stale.",
      tag: "Models",
      access: "editor",
      path: byId("model").extend({ run_id: z.string().meta({ description: "The version's run_id." }) }),
      responses: { 200: ok("Promoted.", Promoted) },
      refuses: [404, 409, 415],
    }),
  },
  "/api/models/{id}/bundle": {
    get: op({
      operationId: "exportModelBundle",
      summary: "Export a model as a bundle",
      description: "Its current version with the artifacts' text and checksums; POST it to /api/bundles on another deployment.",
      tag: "Bundles",
      access: "viewer",
      path: byId("model"),
      responses: { 200: attachment("The bundle, as a file download.", bundle) },
      refuses: [404, 409],
    }),
  },
  "/api/models/{id}/versions/{run_id}/bundle": {
    get: op({
      operationId: "exportModelVersionArchive",
      summary: "Download a version as an archive",
      description:
        "A zip holding the version's three artifact files, byte for byte, and manifest.json: the bundle format's name and version, the settings, metrics, dataset lineage, runtime, and each file's size and SHA-256. POST it to /api/models/import on another deployment. Refused (409) for a failed run or one whose artifacts the retention sweep removed.",
      tag: "Bundles",
      access: "viewer",
      path: byId("model").extend({ run_id: z.string().meta({ description: "The version's run_id." }) }),
      responses: { 200: archive("The archive, as a file download.") },
      refuses: [404, 409],
    }),
  },
  "/api/models/import": {
    post: op({
      operationId: "importModelArchive",
      summary: "Import a version's archive",
      description:
        "Refused (400) with nothing written unless the body is a zip of exactly manifest.json, model.json, scaler.json and features.json (plain names, no folders), inflating to at most 256 MB, with every size and checksum matching the manifest and a format version this app reads; (409) when the model's name is taken here (import it under another with ?name=) or its run is already here.",
      tag: "Bundles",
      access: "editor",
      query: z.object({ name: z.string().min(1).max(100).optional().meta({ param: { description: "Import the model under this name instead of the archive's." } }) }),
      body: {
        required: true,
        description: "The archive, at most MAX_UPLOAD_BYTES (50 MB unless configured).",
        content: { "application/zip": { schema: z.string().meta({ format: "binary", contentMediaType: "application/zip", description: "A version's archive." }) } },
      },
      responses: { 201: ok("Imported.", BundleImported) },
      refuses: [400, 409, 413, 415],
    }),
  },
  "/api/ensembles": {
    get: op({
      operationId: "listEnsembles",
      summary: "List ensembles",
      tag: "Ensembles",
      access: "viewer",
      query: paged,
      responses: { 200: ok("A page of ensembles, oldest first, each with its newest build only (GET /api/ensembles/{id} has the history).", EnsemblePage) },
      refuses: [400],
    }),
    post: op({
      operationId: "createEnsemble",
      summary: "Create an ensemble",
      description: "The base models must exist and share one target; the meta training CSV must hold every base model's features and the target.",
      tag: "Ensembles",
      access: "editor",
      body: jsonBody(EnsembleInput, "1 MB"),
      responses: { 201: ok("Created, untrained.", Ensemble) },
      refuses: [400, 413, 415],
    }),
  },
  "/api/ensembles/{id}": {
    get: op({
      operationId: "getEnsemble",
      summary: "Read an ensemble",
      description: "With its runs and, per base model, whether it came from artifacts or was retrained and how long that took.",
      tag: "Ensembles",
      access: "viewer",
      path: byId("ensemble"),
      responses: { 200: ok("The ensemble.", Ensemble) },
      refuses: [404],
    }),
    delete: op({
      operationId: "deleteEnsemble",
      summary: "Delete an ensemble and its artifacts",
      tag: "Ensembles",
      access: "editor",
      path: byId("ensemble"),
      responses: { 200: ok("Deleted.", Deleted) },
      refuses: [404, 409, 415],
    }),
  },
  "/api/ensembles/{id}/train": {
    post: op({
      operationId: "trainEnsemble",
      summary: "Queue an ensemble build",
      description: "Base models load from their artifacts; one whose artifacts are missing or fail verification is retrained.",
      tag: "Ensembles",
      access: "editor",
      path: byId("ensemble"),
      responses: queued("The build"),
      refuses: [404, 409, 415],
    }),
  },
  "/api/ensembles/{id}/predict": {
    post: op({
      operationId: "predictWithEnsemble",
      summary: "Predict with a built ensemble",
      description: "Each row must hold every base model's features. Refused (409) while the ensemble is stale.",
      tag: "Ensembles",
      access: "editor",
      path: byId("ensemble"),
      body: jsonBody(PredictInput, "5 MB"),
      responses: { 200: ok("One probability per row.", Predictions) },
      refuses: [400, 404, 409, 413, 415],
    }),
  },
  "/api/ensembles/{id}/forecast": {
    post: op({
      operationId: "forecastGames",
      summary: "Forecast games by team and date",
      description:
        "Per game: P(team1 wins), each base model's probability, the product's own Elo and the feature values used, all computed from the games dataset's results before the game's date. Refused (400) for an unknown team, a date before the dataset's first game, a base model that needs a feature a games dataset cannot produce, or more than 500 games; (409) while the ensemble is unbuilt or stale.",
      tag: "Forecasts",
      access: "editor",
      path: byId("ensemble"),
      body: jsonBody(forecastRequest, "1 MB"),
      responses: { 200: ok("One forecast per game, in order.", Forecast) },
      refuses: [400, 404, 409, 413, 415],
    }),
  },
  "/api/ensembles/{id}/bundle": {
    get: op({
      operationId: "exportEnsembleBundle",
      summary: "Export an ensemble as a bundle",
      description: "The ensemble with the exact base model versions it was built on. Refused (409) while unbuilt or stale.",
      tag: "Bundles",
      access: "viewer",
      path: byId("ensemble"),
      responses: { 200: attachment("The bundle, as a file download.", bundle) },
      refuses: [404, 409],
    }),
  },
  "/api/bundles": {
    post: op({
      operationId: "importBundle",
      summary: "Import a bundle",
      description:
        "Everything is checked (shape, checksums, that each model rebuilds, free names and run ids) before anything is written. The imported models serve at once and train again only if their dataset exists here.",
      tag: "Bundles",
      access: "editor",
      body: jsonBody(bundle, "MAX_UPLOAD_BYTES (50 MB unless configured)"),
      responses: { 201: ok("Imported.", BundleImported) },
      refuses: [400, 409, 413, 415],
    }),
  },
  "/api/datasets": {
    get: op({
      operationId: "listDatasets",
      summary: "List datasets",
      tag: "Datasets",
      access: "viewer",
      responses: { 200: ok("The datasets, newest first.", z.object({ datasets: z.array(Dataset) })) },
    }),
    post: op({
      operationId: "uploadDataset",
      summary: "Store a CSV",
      description:
        "Streamed to disk and refused (413) as soon as it passes MAX_UPLOAD_BYTES (50 MB unless configured). The same content again under the same name changes nothing.",
      tag: "Datasets",
      access: "editor",
      query: z.object({
        name: datasetName.optional().meta({ param: { description: "With a text/csv body: the dataset's name." } }),
        kind: datasetKind.optional().meta({ param: { description: "With a text/csv body: the dataset's kind." } }),
      }),
      body: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: z.object({
              file: z.string().meta({ format: "binary", contentMediaType: "text/csv", description: "The CSV file." }),
              name: datasetName.optional().meta({ description: "The dataset's name; the file's own name when left out." }),
              kind: datasetKind.optional(),
            }),
          },
          "text/csv": { schema: z.string().meta({ description: "The CSV itself, with its name in ?name=." }) },
        },
      },
      responses: { 201: ok("Stored.", Dataset) },
      refuses: [400, 413, 415],
    }),
  },
  "/api/datasets/features": {
    post: op({
      operationId: "buildFeatureTable",
      summary: "Build a feature table from a games dataset",
      description:
        "One row per game (optionally only seasons from_season to to_season) with the leak-free features of `npm run nba:features` and the product's own Elo, stored as a new dataset to train on.",
      tag: "Datasets",
      access: "editor",
      body: jsonBody(FeatureDatasetInput, "1 MB"),
      responses: { 201: ok("Stored.", Dataset) },
      refuses: [400, 409, 413, 415],
    }),
  },
  "/api/datasets/{name}": {
    delete: op({
      operationId: "deleteDataset",
      summary: "Delete a dataset",
      description:
        "Refused (409) while an ensemble uses it as meta training data, or while models train on it unless ?force=true: they then keep serving their current version but can never be retrained.",
      tag: "Datasets",
      access: "editor",
      path: z.object({ name: z.string().meta({ description: "The dataset's name, with or without .csv.", example: "games" }) }),
      query: z.object({ force: z.enum(["true", "false"]).optional().meta({ param: { description: "true: delete even though models train on it." } }) }),
      responses: { 200: ok("Deleted.", DatasetDeleted) },
      refuses: [400, 404, 409, 415],
    }),
  },
  "/api/jobs": {
    get: op({
      operationId: "listJobs",
      summary: "List jobs",
      tag: "Jobs",
      access: "viewer",
      query: paged,
      responses: { 200: ok("A page of jobs, newest first.", JobPage) },
      refuses: [400],
    }),
  },
  "/api/jobs/{id}": {
    get: op({
      operationId: "getJob",
      summary: "Follow a job",
      tag: "Jobs",
      access: "viewer",
      path: byId("job"),
      responses: { 200: ok("The job.", Job) },
      refuses: [404],
    }),
  },
  "/api/jobs/{id}/cancel": {
    post: op({
      operationId: "cancelJob",
      summary: "Cancel a job",
      description: "A queued job is cancelled at once; a running one stops within about a second of its next progress report. Refused (409) once it has finished.",
      tag: "Jobs",
      access: "editor",
      path: byId("job"),
      responses: { 202: ok("Cancelled, or asked to stop.", Job) },
      refuses: [404, 409, 415],
    }),
  },
  "/api/health": {
    get: op({
      operationId: "getHealth",
      summary: "Health check",
      description: "Without credentials only `status`, for load balancers; signed-in callers also see which part failed and the version.",
      tag: "Health",
      access: "optional",
      responses: { 200: ok("Serving.", Health), 503: ok("Not serving.", Health) },
    }),
  },
  "/api/openapi.json": {
    get: op({
      operationId: "getOpenApiDocument",
      summary: "This document",
      tag: "Reference",
      access: "public",
      responses: { 200: { description: "The OpenAPI 3.1 document.", content: { "application/json": { schema: { type: "object" } } } } },
    }),
  },
  "/api/docs": {
    get: op({
      operationId: "getApiReference",
      summary: "The rendered reference",
      tag: "Reference",
      access: "public",
      responses: { 200: { description: "An HTML page that renders this document.", content: { "text/html": { schema: { type: "string" } } } } },
    }),
  },
  "/api/docs/scalar.js": {
    get: op({
      operationId: "getApiReferenceScript",
      summary: "The reference page's script",
      description: "Served by the app itself, so the page works on networks without internet access.",
      tag: "Reference",
      access: "public",
      internal: true,
      query: z.object({ v: z.string().optional().meta({ description: "The script's content hash; with the current one the answer may be cached for a year." }) }),
      responses: { 200: { description: "JavaScript.", content: { "text/javascript": { schema: { type: "string" } } } } },
    }),
  },
} satisfies ZodOpenApiPathsObject;

const DESCRIPTION = `The JSON API behind the NBA Ensemble Lab dashboard: upload datasets, create and train models, build stacking ensembles from their saved artifacts, and predict.

**Credentials.** Every operation except the health check and this reference needs one of:
- the dashboard's session cookie (sign in on the dashboard; the reference's "Test request" sends it);
- \`Authorization: Bearer <token>\` with an API token an admin creates on the Tokens page (scope \`read\` acts as a viewer, \`write\` as an editor, never more than the token's owner) or the server's ADMIN_TOKEN (admin).

**Roles.** A viewer reads; an editor also uploads, creates, trains, predicts and deletes.

**Refusals** are JSON \`{"error": "...", "fields": {...}}\`: one sentence, and on validation errors the messages per field. Requests that would change something must be same-origin when they come from a browser (403 otherwise), and JSON endpoints take only \`content-type: application/json\` (415 otherwise).`;

const definition: ZodOpenApiObject = {
  openapi: "3.1.0",
  // The contract's version, not the app's: the app version is shown only to signed-in callers (GET /api/health).
  info: { title: "NBA Ensemble Lab API", version: "1", description: DESCRIPTION },
  tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
  security: SIGNED_IN,
  components: {
    securitySchemes: {
      session: {
        type: "apiKey",
        in: "cookie",
        name: "better-auth.session_token",
        description: "The dashboard's session cookie, set by signing in. When PUBLIC_URL is https the browser holds it as `__Secure-better-auth.session_token`.",
      },
      bearer: {
        type: "http",
        scheme: "bearer",
        description: "An API token (`nbl_…`) from the Tokens page, or the server's ADMIN_TOKEN.",
      },
    },
  },
  paths,
};

let built: ReturnType<typeof createDocument> | undefined;

/** The document; built once, since it depends only on the code (and the algorithms registered with it). */
export function openApiDocument(): ReturnType<typeof createDocument> {
  built ??= createDocument(definition, {
    override: ({ jsonSchema, zodSchema }) => {
      // The algorithm field is a refined string (the registry decides); the document lists the registered names.
      if (zodSchema === algorithmSchema) jsonSchema.enum = algorithmNames();
    },
  });
  return built;
}
