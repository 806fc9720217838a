import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { disconnectDb } from "@/lib/db";
import { useTestEnv } from "@/lib/testing/env";
import { expectNoServerDetails } from "@/lib/testing/leaks";
import { GET } from "./route";

const env = useTestEnv();

describe("GET /api/health", () => {
  it("answers 200 with db ok while the database is up", async () => {
    const res = await GET();
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ db: "ok", artifacts: "ok" });
    expect(typeof body.version).toBe("string");
  });

  it("answers 503 naming the database when it is down", async () => {
    await disconnectDb();
    process.env.MONGODB_URI = "mongodb://127.0.0.1:9/nothing-listens-here";
    resetConfigForTests();
    try {
      const res = await GET();
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body.db).toMatch(/Cannot reach the database/);
      expect(body.artifacts).toBe("ok");
    } finally {
      await disconnectDb();
      process.env.MONGODB_URI = env.uri;
      resetConfigForTests();
    }
  });

  it("answers 503 for an unusable artifact folder with a fixed sentence, not the folder's path", async () => {
    const blocker = path.join(env.dataDir, "not-a-folder");
    fs.writeFileSync(blocker, "x");
    process.env.ARTIFACT_DIR = path.join(blocker, "artifacts");
    resetConfigForTests();
    try {
      const res = await GET();
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text).artifacts).toBe("The artifact folder is not writable; the server log says why.");
      expectNoServerDetails(text, [blocker, env.dataDir]);
    } finally {
      process.env.ARTIFACT_DIR = env.artifactDir;
      resetConfigForTests();
    }
  });
});
