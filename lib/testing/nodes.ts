import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import type { TestEnv } from "./env";

/**
 * Nodes that share no disk, played by this test process: each "node" is the
 * process with an empty DATA_DIR of its own and the artifacts (and so new
 * datasets) in a GridFS bucket, or in the test's folder. After each test the
 * process is the test file's own node again.
 */
export function useNodes(env: TestEnv): (name: string, artifacts?: "gridfs" | "folder") => string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "nba-nodes-"));
  afterEach(() => {
    process.env.DATA_DIR = env.dataDir;
    process.env.ARTIFACT_DIR = env.artifactDir;
    resetConfigForTests();
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  return (name, artifacts = "gridfs") => {
    const dir = path.join(root, name);
    fs.mkdirSync(dir, { recursive: true });
    process.env.DATA_DIR = dir;
    process.env.ARTIFACT_DIR = artifacts === "gridfs" ? "gridfs://cluster_artifacts" : env.artifactDir;
    resetConfigForTests();
    return dir;
  };
}
