import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** Where the project lives; every default path hangs off it. */
export const PROJECT_ROOT = process.env.PROJECT_ROOT ?? process.cwd();

const mongoUri = z
  .string()
  .trim()
  .refine((v) => /^mongodb(\+srv)?:\/\/[^\s/]+/.test(v), {
    message: "must look like mongodb://host:port/database or mongodb+srv://cluster/database",
  });

const LogLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

const EnvSchema = z.object({
  MONGODB_URI: mongoUri.optional(),
  DB_PORT: z.coerce.number().int().min(1).max(65535).default(27027),
  DB_NAME: z.string().regex(/^[A-Za-z0-9_-]{1,60}$/, "letters, digits, _ and - only").default("nba"),
  // A local folder (or file:// URI), or gridfs://<bucket> for GridFS in the app's own database.
  ARTIFACT_DIR: z
    .string()
    .min(1)
    .refine((v) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || v.startsWith("file://") || /^gridfs:\/\/[A-Za-z][A-Za-z0-9_-]{0,49}\/?$/.test(v), {
      message: "must be a folder, a file:// URI or gridfs://<bucket> (letters, digits, _ and -)",
    })
    .transform((v) => (v.startsWith("file://") ? fileURLToPath(v) : v))
    .optional(),
  DATA_DIR: z.string().min(1).optional(),
  CACHE_DIR: z.string().min(1).optional(),
  CACHE_MAX_MB: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(0).max(1_000_000).default(256),
  LOG_LEVEL: LogLevel.optional(),
  MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(50 * 1024 * 1024),
  JOB_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  JOB_STALE_MS: z.coerce.number().int().min(1000).default(60_000),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(1),
  MAX_TRAINING_SECONDS: z.coerce.number().positive().default(1800),
  NBA_GAMES_CSV: z.string().min(1).optional(),
  KEEP_VERSIONS: z.coerce.number().int().min(1, "must be at least 1").max(1000).default(5),
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  ALLOWED_HOSTS: z
    .string()
    .transform((v) => v.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean))
    .refine((hosts) => hosts.every((h) => /^[a-z0-9.-]+$|^\[[0-9a-f:]+\]$/.test(h)), {
      message: "must be a comma-separated list of host names (no ports, no schemes)",
    })
    .optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional(),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  ADMIN_TOKEN: z.string().min(32, "must be at least 32 characters (for example from openssl rand -hex 32)").optional(),
  // Only read by the bench scripts that call a running app's API (sent as a bearer token).
  API_TOKEN: z.string().min(1).optional(),
});

export interface AppConfig {
  /** The connection string actually used: MONGODB_URI, or the embedded server's. */
  mongodbUri: string;
  /** True when MONGODB_URI was not set and the embedded FerretDB is expected. */
  embedded: boolean;
  artifactDir: string;
  dataDir: string;
  /** This node's cache of values derived from checksummed content (lib/derived-cache.ts). */
  cacheDir: string;
  /** Its bound in bytes, all kinds of value together; 0 turns it off. */
  cacheMaxBytes: number;
  logLevel: z.infer<typeof LogLevel>;
  maxUploadBytes: number;
  /** How often a worker polls for queued jobs. */
  jobPollMs: number;
  /** A running job without a heartbeat for this long is taken to be dead. */
  jobStaleMs: number;
  /** Jobs one worker process runs at once. */
  workerConcurrency: number;
  /** Training whose estimated time exceeds this is refused before it is queued. */
  maxTrainingSeconds: number;
  /** The embedded database's port (used when MONGODB_URI is unset). */
  dbPort: number;
  /** Successful versions kept per model with their artifacts (plus the current one and any an ensemble uses). */
  keepVersions: number;
  /** The real historical games file used by tests, evaluation and benchmarks when it exists. */
  nbaGamesCsv: string;
  /** Where the dashboard is served (npm start). */
  host: string;
  port: number;
  /** The address people open: links printed at start-up use it; https:// makes session cookies Secure. */
  publicUrl: string;
  /** Host names the app answers to; any other Host header is refused (DNS rebinding). */
  allowedHosts: string[];
  /** Signs session cookies; every web node of one deployment needs the same one. */
  authSecret: string | undefined;
  /** Accepted as an admin bearer token, for automation and CI. */
  adminToken: string | undefined;
  /** Bearer token the bench scripts send to a running app, when it asks for one. */
  apiToken: string | null;
}

/** The node's cache folder inside DATA_DIR when CACHE_DIR is not set (what a folder listing of datasets leaves out). */
export const DEFAULT_CACHE_FOLDER = ".derived";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Reads and validates the environment. Throws one ConfigError sentence naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ");
    throw new ConfigError(`Invalid configuration: ${problems}.`);
  }
  const e = parsed.data;
  const root = env.PROJECT_ROOT ?? PROJECT_ROOT;
  return {
    mongodbUri: e.MONGODB_URI ?? `mongodb://127.0.0.1:${e.DB_PORT}/${e.DB_NAME}`,
    embedded: e.MONGODB_URI === undefined,
    artifactDir: e.ARTIFACT_DIR?.startsWith("gridfs://") ? e.ARTIFACT_DIR : path.resolve(root, e.ARTIFACT_DIR ?? ".data/artifacts"),
    dataDir: path.resolve(root, e.DATA_DIR ?? ".data/datasets"),
    // Beside the datasets by default, so every place that has its own DATA_DIR (a test, a bench) has its own cache too.
    cacheDir: e.CACHE_DIR ? path.resolve(root, e.CACHE_DIR) : path.join(path.resolve(root, e.DATA_DIR ?? ".data/datasets"), DEFAULT_CACHE_FOLDER),
    cacheMaxBytes: e.CACHE_MAX_MB * 1024 * 1024,
    logLevel: e.LOG_LEVEL ?? defaultLogLevel(env),
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    jobPollMs: e.JOB_POLL_MS,
    jobStaleMs: e.JOB_STALE_MS,
    workerConcurrency: e.WORKER_CONCURRENCY,
    maxTrainingSeconds: e.MAX_TRAINING_SECONDS,
    dbPort: e.DB_PORT,
    keepVersions: e.KEEP_VERSIONS,
    nbaGamesCsv: path.resolve(root, e.NBA_GAMES_CSV ?? "../shared/data/nba_games_1947_2016.csv"),
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://${listensEverywhere(e.HOST) ? "localhost" : e.HOST}:${e.PORT}`).replace(/\/$/, ""),
    allowedHosts: [
      ...new Set([
        "localhost",
        "127.0.0.1",
        "[::1]",
        ...(listensEverywhere(e.HOST) ? [] : [e.HOST.toLowerCase()]),
        ...(e.PUBLIC_URL ? [new URL(e.PUBLIC_URL).hostname.toLowerCase()] : []),
        ...(e.ALLOWED_HOSTS ?? []),
      ]),
    ],
    authSecret: e.AUTH_SECRET,
    adminToken: e.ADMIN_TOKEN,
    apiToken: e.API_TOKEN ?? null,
  };
}

function listensEverywhere(host: string): boolean {
  return host === "0.0.0.0" || host === "::";
}

/** Tests log only errors unless asked for more. */
function defaultLogLevel(env: Record<string, string | undefined>): z.infer<typeof LogLevel> {
  return env.NODE_ENV === "test" || env.VITEST ? "error" : "info";
}

/**
 * The log level for the logger, which exists before anything validates the
 * environment: an invalid LOG_LEVEL falls back to the default here, and the
 * start-up check (scripts/check-config.ts) refuses it with its sentence.
 */
export function logLevelFromEnv(env: Record<string, string | undefined> = process.env): z.infer<typeof LogLevel> {
  const parsed = LogLevel.safeParse(env.LOG_LEVEL);
  return parsed.success ? parsed.data : defaultLogLevel(env);
}

let cached: AppConfig | undefined;

/** The process-wide configuration, validated once. */
export function config(): AppConfig {
  cached ??= loadConfig();
  return cached;
}

/** For tests that change the environment between cases. */
export function resetConfigForTests(): void {
  cached = undefined;
}
