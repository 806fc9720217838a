import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

describe("configuration", () => {
  it("uses the embedded server when MONGODB_URI is unset", () => {
    const cfg = loadConfig({ PROJECT_ROOT: "/srv/app" });
    expect(cfg.embedded).toBe(true);
    expect(cfg.mongodbUri).toBe("mongodb://127.0.0.1:27027/nba");
    expect(cfg.artifactDir).toBe("/srv/app/.data/artifacts");
  });

  it("takes MONGODB_URI as given, including Atlas strings", () => {
    const cfg = loadConfig({ MONGODB_URI: "mongodb+srv://u:p@cluster0.example.net/nba" });
    expect(cfg.embedded).toBe(false);
    expect(cfg.mongodbUri).toBe("mongodb+srv://u:p@cluster0.example.net/nba");
  });

  it("accepts a file:// artifact folder and refuses other schemes", () => {
    expect(loadConfig({ ARTIFACT_DIR: "file:///srv/artifacts" }).artifactDir).toBe("/srv/artifacts");
    expect(() => loadConfig({ ARTIFACT_DIR: "s3://bucket/models" })).toThrow(/ARTIFACT_DIR must be a folder, a file:\/\/ URI or gridfs:\/\/<bucket>/);
  });

  it("validates the worker's concurrency and the training-time limit", () => {
    const cfg = loadConfig({});
    expect(cfg.workerConcurrency).toBe(1);
    expect(cfg.maxTrainingSeconds).toBe(1800);
    expect(loadConfig({ WORKER_CONCURRENCY: "4", MAX_TRAINING_SECONDS: "90" })).toMatchObject({ workerConcurrency: 4, maxTrainingSeconds: 90 });
    expect(() => loadConfig({ WORKER_CONCURRENCY: "0" })).toThrow(/WORKER_CONCURRENCY/);
    expect(() => loadConfig({ WORKER_CONCURRENCY: "two" })).toThrow(/WORKER_CONCURRENCY/);
    expect(() => loadConfig({ MAX_TRAINING_SECONDS: "-5" })).toThrow(/MAX_TRAINING_SECONDS/);
    expect(() => loadConfig({ PORT: "70000" })).toThrow(/PORT/);
  });

  it("keeps the derived-data cache beside the datasets unless told otherwise, and refuses a bound that is not a whole number of MB", () => {
    const cfg = loadConfig({ DATA_DIR: "/srv/nba/datasets", PROJECT_ROOT: "/srv/nba" });
    expect(cfg.cacheDir).toBe("/srv/nba/datasets/.derived");
    expect(cfg.cacheMaxBytes).toBe(256 * 1024 * 1024);
    expect(loadConfig({ CACHE_DIR: "cache", CACHE_MAX_MB: "0", PROJECT_ROOT: "/srv/nba" })).toMatchObject({ cacheDir: "/srv/nba/cache", cacheMaxBytes: 0 });
    expect(() => loadConfig({ CACHE_MAX_MB: "lots" })).toThrow(/CACHE_MAX_MB must be a number/);
    expect(() => loadConfig({ CACHE_MAX_MB: "1.5" })).toThrow(/CACHE_MAX_MB must be a whole number/);
    expect(() => loadConfig({ CACHE_MAX_MB: "-1" })).toThrow(/CACHE_MAX_MB/);
  });

  it("refuses a malformed value with one sentence naming every bad variable", () => {
    const bad = () => loadConfig({ MONGODB_URI: "localhost:27017", DB_PORT: "99999", LOG_LEVEL: "loud" });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/MONGODB_URI must look like mongodb:\/\/.*DB_PORT.*LOG_LEVEL/);
  });
});
