import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { connectDb, disconnectDb } from "@/lib/db";

export interface TestEnv {
  /** A database of its own for this test file, dropped afterwards. */
  uri: string;
  /** Temp folders used as ARTIFACT_DIR and DATA_DIR for this test file. */
  artifactDir: string;
  dataDir: string;
}

/**
 * Gives a test file its own database on the real test server (started by the
 * global setup) and its own artifact and dataset folders. Never a mock.
 */
export function useTestEnv(): TestEnv {
  const env = {} as TestEnv;
  beforeAll(async () => {
    const base = process.env.TEST_MONGODB_URI;
    if (!base) throw new Error("TEST_MONGODB_URI is not set: run the tests through vitest (its global setup starts the database).");
    const dbName = `test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    env.uri = `${base.replace(/\/$/, "")}/${dbName}`;
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nba-test-"));
    env.artifactDir = path.join(tmp, "artifacts");
    env.dataDir = path.join(tmp, "datasets");
    fs.mkdirSync(env.artifactDir, { recursive: true });
    fs.mkdirSync(env.dataDir, { recursive: true });
    process.env.MONGODB_URI = env.uri;
    process.env.ARTIFACT_DIR = env.artifactDir;
    process.env.DATA_DIR = env.dataDir;
    // Sessions need a signing secret; each test file gets its own.
    process.env.AUTH_SECRET ??= `test-secret-${Math.random().toString(36).slice(2)}-${Date.now()}-0123456789`;
    resetConfigForTests();
    await connectDb(env.uri);
  });
  afterAll(async () => {
    try {
      const m = await connectDb(env.uri);
      await m.connection.dropDatabase();
    } finally {
      await disconnectDb();
      fs.rmSync(path.dirname(env.artifactDir), { recursive: true, force: true });
    }
  });
  return env;
}
