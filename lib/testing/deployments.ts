import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { clearCaches } from "@/lib/cache";
import { resetConfigForTests } from "@/lib/config";
import { connectDb, disconnectDb } from "@/lib/db";
import { Ensemble } from "@/models/Ensemble";
import { ModelConfig } from "@/models/ModelConfig";
import { ModelVersion } from "@/models/ModelVersion";
import mongoose from "mongoose";
import type { TestEnv } from "./env";

/** Switches this test file to another database and another artifact folder: a second deployment. */
export async function useSecondDeployment(label: string): Promise<void> {
  await disconnectDb();
  const base = process.env.TEST_MONGODB_URI!.replace(/\/$/, "");
  process.env.MONGODB_URI = `${base}/${label}_${process.pid}_${Date.now()}`;
  process.env.ARTIFACT_DIR = fs.mkdtempSync(path.join(os.tmpdir(), `${label}-artifacts-`));
  resetConfigForTests();
  clearCaches();
  await connectDb();
}

/** What an import may write: documents and artifact files of the deployment in use. */
export async function deploymentFootprint() {
  return {
    models: await ModelConfig.countDocuments(),
    versions: await ModelVersion.countDocuments(),
    ensembles: await Ensemble.countDocuments(),
    files: fs.readdirSync(process.env.ARTIFACT_DIR!).sort(),
  };
}

/** Drops the second deployment's database and returns to the test file's own. */
export async function backToFirstDeployment(env: TestEnv): Promise<void> {
  await mongoose.connection.dropDatabase();
  await disconnectDb();
  process.env.MONGODB_URI = env.uri;
  process.env.ARTIFACT_DIR = env.artifactDir;
  resetConfigForTests();
  clearCaches();
  await connectDb();
}
