import mongoose from "mongoose";
import { describe, expect, it, vi } from "vitest";
import { GET as listModels, POST as createModel } from "@/app/api/models/route";
import { ConfigError, loadConfig, resetConfigForTests } from "@/lib/config";
import { ConflictError, UnauthenticatedError, ValidationError } from "@/lib/errors";
import { useTestEnv } from "@/lib/testing/env";
import { apiToken, asRole } from "@/lib/testing/identities";
import { ApiToken } from "@/models/ApiToken";
import { createFirstAdmin, issueFirstAdminLink, isCurrentLink } from "./first-admin";
import { checkRequest } from "./guards";
import { identify } from "./identity";
import { signIn } from "./sign-in";
import { TOKEN_CACHE_MS, revokeToken } from "./tokens";
import { createUser, listUsers, removeUser, setRole } from "./users";

useTestEnv();

const list = (headers: Record<string, string> = {}) => listModels(new Request("http://test/api/models", { headers }), undefined as never);
const create = (headers: Record<string, string>) =>
  createModel(new Request("http://test/api/models", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" }), undefined as never);

describe("the first admin", () => {
  it("is created through a one-time link: ten concurrent uses make exactly one admin, and the link then dies", async () => {
    const link = await issueFirstAdminLink();
    expect(link).toMatch(/\/setup\?token=[A-Za-z0-9_-]{40,}$/);
    const token = new URL(link as string).searchParams.get("token");
    // A bad form does not use the link up.
    await expect(createFirstAdmin(token, { name: "A", email: "not-an-email", password: "short" })).rejects.toBeInstanceOf(ValidationError);
    expect(await isCurrentLink(token)).toBe(true);
    await expect(createFirstAdmin("x".repeat(43), { name: "A", email: "a@example.test", password: "long enough pass" })).rejects.toBeInstanceOf(ConflictError);

    const attempts = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => createFirstAdmin(token, { name: `Admin ${i}`, email: `admin${i}@example.test`, password: "long enough pass" })),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    expect((await listUsers()).filter((u) => u.role === "admin")).toHaveLength(1);
    await expect(createFirstAdmin(token, { name: "Late", email: "late@example.test", password: "long enough pass" })).rejects.toBeInstanceOf(ConflictError);
    // With an admin present, a restart issues no link.
    expect(await issueFirstAdminLink()).toBeNull();
  });
});

describe("roles on routes", () => {
  it("answer 401 without credentials and 403 with too little role, as JSON {error}", async () => {
    const anonymous = await list();
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: expect.stringMatching(/Sign in/) });
    expect((await list(await asRole("viewer"))).status).toBe(200);
    const refused = await create(await asRole("viewer"));
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toMatch(/editor role/);
    expect((await create(await asRole("editor"))).status).toBe(400); // allowed in, then the empty body is refused
  });

  it("follow a role change at the next request, and a removed user's session stops working", async () => {
    const user = await createUser({ name: "Changing", email: "changing@example.test", password: "long enough pass", role: "viewer" });
    const res = await signIn({ email: user.email, password: "long enough pass" }, "test", new Headers(), true);
    const cookie = { cookie: res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") };
    expect((await create(cookie)).status).toBe(403);
    await setRole(user.id, "editor");
    expect((await create(cookie)).status).toBe(400);
    await removeUser(user.id);
    expect((await list(cookie)).status).toBe(401);
  });

  it("keep at least one admin", async () => {
    await asRole("admin");
    const admins = (await listUsers()).filter((u) => u.role === "admin");
    const last = admins.find((u) => u.email === "admin@example.test")!;
    const others = admins.filter((u) => u !== last);
    for (const u of others) await setRole(u.id, "editor");
    try {
      await expect(setRole(last.id, "viewer")).rejects.toBeInstanceOf(ConflictError);
      await expect(removeUser(last.id)).rejects.toBeInstanceOf(ConflictError);
    } finally {
      for (const u of others) await setRole(u.id, "admin");
    }
  });
});

describe("API tokens", () => {
  it("are stored only as a hash, act within their scope, record their last use and stop at revocation", async () => {
    const read = await apiToken("read");
    const write = await apiToken("write");
    expect(read).toMatch(/^nbl_/);
    const stored = await ApiToken.find().lean();
    expect(JSON.stringify(stored)).not.toContain(read.slice(4));
    expect(stored.every((t) => /^[0-9a-f]{64}$/.test(t.token_hash))).toBe(true);

    expect((await list({ authorization: `Bearer ${read}` })).status).toBe(200);
    expect((await create({ authorization: `Bearer ${read}` })).status).toBe(403);
    expect((await create({ authorization: `Bearer ${write}` })).status).toBe(400);
    const used = await ApiToken.findOne({ prefix: read.slice(0, 10) }).lean();
    await new Promise((r) => setTimeout(r, 50));
    expect((await ApiToken.findById(used!._id).lean())?.last_used_at).toBeInstanceOf(Date);

    await revokeToken(String(used!._id));
    const revoked = await list({ authorization: `Bearer ${read}` });
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).error).toMatch(/unknown or was revoked/);
    expect((await list({ authorization: "Bearer nbl_forged" })).status).toBe(401);
    expect((await list({ authorization: "Basic abc" })).status).toBe(401);
  });

  it("are refused within TOKEN_CACHE_MS once another process revoked them, and at once when this one did", async () => {
    const owner = await createUser({ name: "Revoker", email: "revoker@example.test", password: "long enough pass", role: "editor" });
    const { createToken } = await import("./tokens");
    const { token, view } = await createToken(owner.id, { name: "elsewhere", scope: "read" });
    expect((await list({ authorization: `Bearer ${token}` })).status).toBe(200);
    // Another web node revokes it: the database changes, this process's cache does not hear of it.
    await ApiToken.updateOne({ _id: view.id }, { $set: { revoked_at: new Date() } });
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + TOKEN_CACHE_MS + 1 });
    try {
      expect((await list({ authorization: `Bearer ${token}` })).status).toBe(401);
    } finally {
      vi.useRealTimers();
    }
  });

  it("never rise above their owner's role", async () => {
    const owner = await createUser({ name: "Owner", email: "owner@example.test", password: "long enough pass", role: "admin" });
    const { createToken } = await import("./tokens");
    const { token } = await createToken(owner.id, { name: "owner write", scope: "write" });
    await setRole(owner.id, "viewer");
    // The token cache holds a verified token a few seconds; a fresh token sees the new role at once.
    const fresh = await createToken(owner.id, { name: "after demotion", scope: "write" });
    expect((await create({ authorization: `Bearer ${fresh.token}` })).status).toBe(403);
    expect(token).not.toBe(fresh.token);
  });

  it("include ADMIN_TOKEN, which must be at least 32 characters", async () => {
    expect(() => loadConfig({ ADMIN_TOKEN: "short" })).toThrow(ConfigError);
    expect(() => loadConfig({ ADMIN_TOKEN: "short" })).toThrow(/ADMIN_TOKEN must be at least 32 characters/);
    const admin = "a".repeat(40);
    process.env.ADMIN_TOKEN = admin;
    resetConfigForTests();
    try {
      expect(await identify(new Headers({ authorization: `Bearer ${admin}` }))).toMatchObject({ via: "admin-token", role: "admin" });
      await expect(identify(new Headers({ authorization: `Bearer ${"a".repeat(39)}b` }))).rejects.toBeInstanceOf(UnauthenticatedError);
      // A new ADMIN_TOKEN replaces the old one at once.
      process.env.ADMIN_TOKEN = "c".repeat(40);
      resetConfigForTests();
      await expect(identify(new Headers({ authorization: `Bearer ${admin}` }))).rejects.toBeInstanceOf(UnauthenticatedError);
      expect(await identify(new Headers({ authorization: `Bearer ${"c".repeat(40)}` }))).toMatchObject({ via: "admin-token" });
    } finally {
      delete process.env.ADMIN_TOKEN;
      resetConfigForTests();
    }
  });
});

describe("sign-in", () => {
  it("refuses a wrong password with one sentence, and stops trying after ten failures", async () => {
    await createUser({ name: "Guess", email: "guess@example.test", password: "long enough pass", role: "viewer" });
    for (let i = 0; i < 10; i++) {
      await expect(signIn({ email: "guess@example.test", password: `wrong ${i}` }, "1.2.3.4", new Headers())).rejects.toThrow(/email or password is not right/);
    }
    await expect(signIn({ email: "guess@example.test", password: "long enough pass" }, "1.2.3.4", new Headers())).rejects.toThrow(/Too many failed sign-ins/);
    // Another client address is not locked out by someone else's guessing.
    await expect(signIn({ email: "guess@example.test", password: "long enough pass" }, "5.6.7.8", new Headers(), true)).resolves.toBeInstanceOf(Response);
  });
});

describe("request guards", () => {
  const allowed = { hosts: ["localhost", "127.0.0.1", "[::1]"], publicUrl: "http://localhost:3000" };
  const check = (method: string, headers: Record<string, string>) => checkRequest({ method, headers: new Headers(headers) }, allowed);

  it("refuse any Host not on the allow-list, for reads too (DNS rebinding)", () => {
    expect(check("GET", { host: "evil.example" })?.status).toBe(403);
    expect(check("GET", { host: "localhost.evil.example:3000" })?.status).toBe(403);
    expect(check("GET", {})?.status).toBe(403);
    expect(check("GET", { host: "localhost:3000" })).toBeNull();
    expect(check("GET", { host: "[::1]:3000" })).toBeNull();
  });

  it("refuse state-changing requests from another origin or marked cross-site", () => {
    expect(check("POST", { host: "localhost:3000", origin: "http://evil.example" })?.status).toBe(403);
    expect(check("POST", { host: "localhost:3000", origin: "http://localhost:4000" })?.status).toBe(403);
    expect(check("POST", { host: "localhost:3000", origin: "null" })?.status).toBe(403);
    expect(check("DELETE", { host: "localhost:3000", "sec-fetch-site": "cross-site" })?.status).toBe(403);
    expect(check("POST", { host: "localhost:3000", origin: "http://localhost:3000", "sec-fetch-site": "same-origin" })).toBeNull();
    // Scripts with a token send no Origin.
    expect(check("POST", { host: "127.0.0.1:3000" })).toBeNull();
    // A cross-site page may still read nothing: GET needs credentials, which it does not have.
    expect(check("GET", { host: "localhost:3000", origin: "http://evil.example" })).toBeNull();
  });
});

describe("content types", () => {
  it("a text/plain or form-encoded POST to a JSON endpoint is a 415 and creates nothing", async () => {
    const editor = await asRole("editor");
    const before = await mongoose.connection.collection("model_config_nba").countDocuments();
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const res = await createModel(
        new Request("http://test/api/models", { method: "POST", headers: { ...editor, "content-type": type }, body: '{"name":"x"}' }),
        undefined as never,
      );
      expect(res.status).toBe(415);
      expect((await res.json()).error).toMatch(/application\/json/);
    }
    expect(await mongoose.connection.collection("model_config_nba").countDocuments()).toBe(before);
  });
});
