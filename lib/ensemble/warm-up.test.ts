import fs from "node:fs";
import path from "node:path";
import mongoose from "mongoose";
import { describe, expect, it } from "vitest";
import { useTestEnv } from "@/lib/testing/env";
import { warmUpBuildCode } from "./warm-up";

const env = useTestEnv();

/** Every file under a folder. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

async function documentCounts(): Promise<Record<string, number>> {
  const db = mongoose.connection.db!;
  const names = (await db.listCollections().toArray()).map((c) => c.name).sort();
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await db.collection(n).countDocuments()] as const)));
}

describe("warming up the build's code", () => {
  it("runs a build's steps in memory: nothing written to disk or to the database", async () => {
    const root = path.dirname(env.artifactDir);
    const filesBefore = filesUnder(root);
    const docsBefore = await documentCounts();

    const ms = await warmUpBuildCode();

    expect(ms).toBeGreaterThan(0);
    expect(filesUnder(root)).toEqual(filesBefore);
    expect(await documentCounts()).toEqual(docsBefore);
  });

  it("can run again (a restarted worker's code, or twice in one process)", async () => {
    await expect(warmUpBuildCode()).resolves.toBeGreaterThan(0);
  });
});
