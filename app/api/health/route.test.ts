import { describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { disconnectDb } from "@/lib/db";
import { useTestEnv } from "@/lib/testing/env";
import { asRole } from "@/lib/testing/identities";
import { GET } from "./route";

const env = useTestEnv();
const anonymous = () => new Request("http://test/api/health");

describe("GET /api/health", () => {
  it("says only ok without credentials, and which parts are ok to a signed-in viewer", async () => {
    const res = await GET(anonymous());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    const detailed = await GET(new Request("http://test/api/health", { headers: await asRole("viewer") }));
    const body = await detailed.json();
    expect(body).toMatchObject({ status: "ok", db: "ok", artifacts: "ok" });
    expect(typeof body.version).toBe("string");
  });

  it("answers 503 when the database is down, naming nothing to an anonymous caller", async () => {
    await disconnectDb();
    process.env.MONGODB_URI = "mongodb://127.0.0.1:9/nothing-listens-here";
    resetConfigForTests();
    try {
      const res = await GET(anonymous());
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: "failed" });
    } finally {
      await disconnectDb();
      process.env.MONGODB_URI = env.uri;
      resetConfigForTests();
    }
  });
});
