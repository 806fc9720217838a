import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { ArtifactMissingError, UnknownArtifactStoreError, UnsafeArtifactPathError } from "./errors";
import { LocalArtifactStore, resolveInsideRoot } from "./local-store";
import { artifactStoreFor, defaultArtifactStore } from "./stores";

let base: string;
let root: string;
let outside: string;

beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), "artifact-store-"));
  root = path.join(base, "root");
  outside = path.join(base, "outside");
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
});

afterEach(() => {
  fs.rmSync(base, { recursive: true, force: true });
});

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

describe("resolveInsideRoot", () => {
  it("maps relative paths and absolute paths inside the root to absolute paths inside it", () => {
    expect(resolveInsideRoot(root, "a_model.json")).toBe(path.join(root, "a_model.json"));
    expect(resolveInsideRoot(root, "sub/a.json")).toBe(path.join(root, "sub", "a.json"));
    expect(resolveInsideRoot(root, path.join(root, "a.json"))).toBe(path.join(root, "a.json"));
    expect(resolveInsideRoot(root, "..not-a-parent.json")).toBe(path.join(root, "..not-a-parent.json"));
  });

  it.each([
    ["../x", '".." segment'],
    ["sub/../../x", '".." segment'],
    ["sub/../x", '".." segment'],
    ["sub\\..\\..\\x", '".." segment'],
    ["/etc/passwd", "outside the artifact directory"],
    ["a\0b.json", "NUL byte"],
    ["", "empty"],
    ["   ", "empty"],
    [".", "artifact directory itself"],
  ])("refuses %j", (bad, reason) => {
    let caught: unknown;
    try {
      resolveInsideRoot(root, bad);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UnsafeArtifactPathError);
    expect((caught as UnsafeArtifactPathError).message).toContain(reason);
    expect((caught as UnsafeArtifactPathError).path).toBe(bad);
  });

  it("refuses an absolute path in a sibling directory whose name starts like the root", () => {
    expect(() => resolveInsideRoot(root, `${root}-evil/x.json`)).toThrow(UnsafeArtifactPathError);
  });
});

describe("LocalArtifactStore", () => {
  it("writes, reads, stats, lists and deletes, returning a relative path and the checksum of the bytes on disk", async () => {
    const store = new LocalArtifactStore(root);
    const result = await store.write("run1_model.json", '{"a":1}');
    expect(result).toEqual({ path: "run1_model.json", bytes: 7, sha256: sha('{"a":1}') });
    const onDisk = fs.readFileSync(path.join(root, "run1_model.json"));
    expect(sha(onDisk)).toBe(result.sha256);
    expect((await store.read("run1_model.json")).toString()).toBe('{"a":1}');
    expect(await store.stat("run1_model.json")).toEqual({
      bytes: 7,
      modifiedMs: fs.statSync(path.join(root, "run1_model.json")).mtimeMs,
    });
    expect(await store.list()).toEqual(["run1_model.json"]);
    await store.delete("run1_model.json");
    expect(await store.stat("run1_model.json")).toBeNull();
    await expect(store.delete("run1_model.json")).resolves.toBeUndefined();
  });

  it("accepts an absolute path inside the root and reports it relative", async () => {
    const store = new LocalArtifactStore(root);
    const result = await store.write(path.join(root, "nested", "b.json"), Buffer.from("x"));
    expect(result.path).toBe("nested/b.json");
    expect((await store.read(path.join(root, "nested/b.json"))).toString()).toBe("x");
  });

  it("creates the root on first write", async () => {
    const store = new LocalArtifactStore(path.join(root, "not", "yet"));
    await store.write("a.json", "1");
    expect(fs.existsSync(path.join(root, "not", "yet", "a.json"))).toBe(true);
  });

  it("throws ArtifactMissingError for an absent file and returns null from stat", async () => {
    const store = new LocalArtifactStore(root);
    await expect(store.read("nope.json")).rejects.toBeInstanceOf(ArtifactMissingError);
    await expect(store.read("no/such/dir.json")).rejects.toBeInstanceOf(ArtifactMissingError);
    expect(await store.stat("nope.json")).toBeNull();
  });

  it("lists by prefix, sorted, without hidden or temporary files", async () => {
    const store = new LocalArtifactStore(root);
    await store.write("b_model.json", "1");
    await store.write("a_model.json", "1");
    await store.write("a_scaler.json", "1");
    await store.write("sub/a_x.json", "1");
    fs.writeFileSync(path.join(root, ".tmp-abc-a_model.json"), "partial");
    fs.writeFileSync(path.join(root, ".health-1"), "ok");
    expect(await store.list()).toEqual(["a_model.json", "a_scaler.json", "b_model.json", "sub/a_x.json"]);
    expect(await store.list("a_")).toEqual(["a_model.json", "a_scaler.json"]);
    expect(await store.list("sub/")).toEqual(["sub/a_x.json"]);
    expect(await store.list("missing/")).toEqual([]);
    await expect(store.list("../")).rejects.toBeInstanceOf(UnsafeArtifactPathError);
  });

  it("refuses unsafe paths before touching the filesystem", async () => {
    const store = new LocalArtifactStore(root);
    fs.writeFileSync(path.join(outside, "secret.txt"), "secret");
    for (const bad of ["../outside/secret.txt", path.join(outside, "secret.txt"), "a\0.json", ""]) {
      await expect(store.read(bad)).rejects.toBeInstanceOf(UnsafeArtifactPathError);
      await expect(store.write(bad, "pwned")).rejects.toBeInstanceOf(UnsafeArtifactPathError);
      await expect(store.delete(bad)).rejects.toBeInstanceOf(UnsafeArtifactPathError);
      await expect(store.stat(bad)).rejects.toBeInstanceOf(UnsafeArtifactPathError);
    }
    expect(fs.readFileSync(path.join(outside, "secret.txt"), "utf8")).toBe("secret");
    expect(fs.readdirSync(outside)).toEqual(["secret.txt"]);
    expect(fs.readdirSync(base).sort()).toEqual(["outside", "root"]);
  });

  it("refuses paths through a symlink that leads outside the root, for reads, writes and deletes", async () => {
    const store = new LocalArtifactStore(root);
    fs.writeFileSync(path.join(outside, "secret.txt"), "secret");
    fs.symlinkSync(outside, path.join(root, "linkdir"));
    fs.symlinkSync(path.join(outside, "secret.txt"), path.join(root, "linkfile.json"));
    fs.symlinkSync(path.join(outside, "does-not-exist"), path.join(root, "dangling"));

    await expect(store.read("linkdir/secret.txt")).rejects.toBeInstanceOf(UnsafeArtifactPathError);
    await expect(store.read("linkfile.json")).rejects.toBeInstanceOf(UnsafeArtifactPathError);
    await expect(store.write("linkdir/new.json", "pwned")).rejects.toBeInstanceOf(UnsafeArtifactPathError);
    await expect(store.write("linkdir/deeper/new.json", "pwned")).rejects.toBeInstanceOf(UnsafeArtifactPathError);
    await expect(store.write("dangling/new.json", "pwned")).rejects.toBeInstanceOf(UnsafeArtifactPathError);
    await expect(store.delete("linkdir/secret.txt")).rejects.toBeInstanceOf(UnsafeArtifactPathError);
    await expect(store.list("linkdir/")).rejects.toBeInstanceOf(UnsafeArtifactPathError);

    expect(fs.readdirSync(outside)).toEqual(["secret.txt"]);
    expect(fs.readFileSync(path.join(outside, "secret.txt"), "utf8")).toBe("secret");
    // Listing the root skips links instead of following them.
    expect(await store.list()).toEqual([]);
  });

  it("allows a symlink that stays inside the root", async () => {
    const store = new LocalArtifactStore(root);
    fs.mkdirSync(path.join(root, "real"));
    fs.writeFileSync(path.join(root, "real", "a.json"), "1");
    fs.symlinkSync(path.join(root, "real"), path.join(root, "alias"));
    expect((await store.read("alias/a.json")).toString()).toBe("1");
  });

  it("works when the root itself is reached through a symlink", async () => {
    const linkedRoot = path.join(base, "linked-root");
    fs.symlinkSync(root, linkedRoot);
    const store = new LocalArtifactStore(linkedRoot);
    await store.write("a.json", "1");
    expect((await store.read("a.json")).toString()).toBe("1");
  });

  it("keeps the previous file byte-identical when a write is interrupted after the temporary file", async () => {
    const good = new LocalArtifactStore(root);
    await good.write("run1_model.json", '{"version":"old"}');
    const before = fs.readFileSync(path.join(root, "run1_model.json"));

    let seenTmp = "";
    const crashing = new LocalArtifactStore(root, {
      afterTempWrite: (tmp) => {
        seenTmp = tmp;
        expect(fs.readFileSync(tmp, "utf8")).toBe('{"version":"new"}');
        throw new Error("simulated crash");
      },
    });
    await expect(crashing.write("run1_model.json", '{"version":"new"}')).rejects.toThrow("simulated crash");

    expect(path.basename(seenTmp)).toMatch(/^\.tmp-[0-9a-f]+-run1_model\.json$/);
    expect(fs.existsSync(seenTmp)).toBe(false);
    expect(fs.readFileSync(path.join(root, "run1_model.json")).equals(before)).toBe(true);
    expect(await good.list()).toEqual(["run1_model.json"]);
  });

  it("leaves no target when the first write of a name is interrupted", async () => {
    const crashing = new LocalArtifactStore(root, {
      afterTempWrite: async () => {
        throw new Error("simulated crash");
      },
    });
    await expect(crashing.write("fresh.json", "x")).rejects.toThrow("simulated crash");
    expect(fs.readdirSync(root)).toEqual([]);
  });
});

describe("artifactStoreFor", () => {
  it("opens a plain directory and a file:// URI as local stores", () => {
    const plain = artifactStoreFor(root);
    expect(plain).toBeInstanceOf(LocalArtifactStore);
    expect(plain.root).toBe(root);
    const uri = artifactStoreFor(pathToFileURL(root).href);
    expect(uri).toBeInstanceOf(LocalArtifactStore);
    expect(uri.root).toBe(root);
  });

  it("rejects an unknown scheme and an empty location with a sentence", () => {
    expect(() => artifactStoreFor("s3://bucket/artifacts")).toThrow(UnknownArtifactStoreError);
    expect(() => artifactStoreFor("s3://bucket/artifacts")).toThrow(/scheme "s3" is not supported/);
    expect(() => artifactStoreFor("")).toThrow(UnknownArtifactStoreError);
  });
});

describe("defaultArtifactStore", () => {
  const saved = process.env.ARTIFACT_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.ARTIFACT_DIR;
    else process.env.ARTIFACT_DIR = saved;
    resetConfigForTests();
  });

  it("uses ARTIFACT_DIR", () => {
    process.env.ARTIFACT_DIR = root;
    resetConfigForTests();
    expect(defaultArtifactStore().root).toBe(root);
  });
});
