import fs from "node:fs/promises";
import path from "node:path";
import { config } from "./config";
import { pingDb } from "./db";
import { APP_VERSION } from "./version";

export interface HealthReport {
  ok: boolean;
  db: "ok" | string;
  artifacts: "ok" | string;
  version: string;
}

async function checkArtifactsWritable(dir: string): Promise<void> {
  if (dir.startsWith("gridfs://")) return; // artifacts live in the database the ping already checks
  await fs.mkdir(dir, { recursive: true });
  const probe = path.join(dir, `.health-${process.pid}-${Date.now()}`);
  await fs.writeFile(probe, "ok");
  await fs.unlink(probe);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Checks the database and the artifact folder; never throws. */
export async function checkHealth(): Promise<HealthReport> {
  const [db, artifacts] = await Promise.allSettled([pingDb(), withTimeout(checkArtifactsWritable(config().artifactDir), 2000)]);
  const report: HealthReport = {
    ok: db.status === "fulfilled" && artifacts.status === "fulfilled",
    db: db.status === "fulfilled" ? "ok" : reason(db.reason),
    artifacts:
      artifacts.status === "fulfilled"
        ? "ok"
        : `The artifact folder ${config().artifactDir} is not writable (${reason(artifacts.reason)}).`,
    version: APP_VERSION,
  };
  return report;
}
