import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { decodeColumns, derivedCache, encodeColumns, trimCache } from "./derived-cache";

let dir = "";
const saved = { CACHE_DIR: process.env.CACHE_DIR, CACHE_MAX_MB: process.env.CACHE_MAX_MB };

function useCache(maxMb?: string) {
  process.env.CACHE_DIR = dir;
  if (maxMb === undefined) delete process.env.CACHE_MAX_MB;
  else process.env.CACHE_MAX_MB = maxMb;
  resetConfigForTests();
}

const filesOf = (kind: string) => (fs.existsSync(path.join(dir, kind)) ? fs.readdirSync(path.join(dir, kind)).map((f) => path.join(dir, kind, f)) : []);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "derived-cache-"));
  useCache();
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetConfigForTests();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the derived-data cache", () => {
  it("gives back what was stored under a key, and nothing under another key or kind", async () => {
    const cache = derivedCache("things");
    expect(await cache.get("a")).toBeNull();
    await cache.set("a", Buffer.from("value of a"));
    expect((await cache.get("a"))?.toString()).toBe("value of a");
    expect(await cache.get("b")).toBeNull();
    expect(await derivedCache("others").get("a")).toBeNull();
    await cache.set("a", Buffer.from("replaced"));
    expect((await cache.get("a"))?.toString()).toBe("replaced");
    expect(filesOf("things")).toHaveLength(1);
  });

  it("treats a damaged, truncated or misplaced file as a miss and removes it", async () => {
    const cache = derivedCache("things");
    const fileOf = (key: string) => path.join(dir, "things", `${crypto.createHash("sha256").update(key).digest("hex")}.bin`);
    await cache.set("a", Buffer.from("value of a"));
    await cache.set("b", Buffer.from("value of b"));
    await cache.set("c", Buffer.from("value of c"));

    const flipped = fs.readFileSync(fileOf("a"));
    flipped[flipped.length - 1] ^= 1;
    fs.writeFileSync(fileOf("a"), flipped);
    expect(await cache.get("a")).toBeNull();
    expect(fs.existsSync(fileOf("a"))).toBe(false);

    // One key's whole entry under another key's name: its checksum covers the key.
    fs.copyFileSync(fileOf("c"), fileOf("b"));
    expect(await cache.get("b")).toBeNull();

    fs.writeFileSync(fileOf("c"), fs.readFileSync(fileOf("c")).subarray(0, 20));
    expect(await cache.get("c")).toBeNull();
    expect(filesOf("things")).toHaveLength(0);
  });

  it("is off with CACHE_MAX_MB=0: nothing written, nothing found", async () => {
    await derivedCache("things").set("a", Buffer.from("kept"));
    useCache("0");
    expect(await derivedCache("things").get("a")).toBeNull();
    await derivedCache("things").set("b", Buffer.from("not kept"));
    useCache();
    expect(await derivedCache("things").get("b")).toBeNull();
    expect((await derivedCache("things").get("a"))?.toString()).toBe("kept");
  });

  it("never fails its caller when the folder cannot be written or read", async () => {
    const file = path.join(dir, "not-a-folder");
    fs.writeFileSync(file, "x");
    process.env.CACHE_DIR = file;
    resetConfigForTests();
    const cache = derivedCache("things");
    await expect(cache.set("a", Buffer.from("v"))).resolves.toBeUndefined();
    expect(await cache.get("a")).toBeNull();
    expect(fs.readdirSync(dir)).toEqual(["not-a-folder"]);
  });

  it("refuses kinds that are not plain folder names", () => {
    for (const kind of ["../x", "a/b", "", "UPPER", ".hidden"]) expect(() => derivedCache(kind)).toThrow(RangeError);
  });

  it("trims the oldest entries of every kind to 80% of its bound, and temporary files a dead writer left", async () => {
    const kinds = [path.join(dir, "one"), path.join(dir, "two")];
    for (const k of kinds) fs.mkdirSync(k);
    const now = Date.now();
    for (let i = 0; i < 10; i++) {
      // Oldest first, alternating between the two kinds.
      const f = path.join(kinds[i % 2], `${i}.bin`);
      fs.writeFileSync(f, Buffer.alloc(100));
      fs.utimesSync(f, new Date(now - (100 - i) * 1000), new Date(now - (100 - i) * 1000));
    }
    const oldTemp = path.join(kinds[0], ".tmp-old");
    const newTemp = path.join(kinds[0], ".tmp-new");
    fs.writeFileSync(oldTemp, "x");
    fs.utimesSync(oldTemp, new Date(now - 3_600_000), new Date(now - 3_600_000));
    fs.writeFileSync(newTemp, "x");

    expect(await trimCache(dir, 2000, now)).toBe(1); // under its bound: only the dead writer's file goes
    expect(await trimCache(dir, 500, now)).toBe(6); // 1,000 bytes down to at most 400
    expect(fs.readdirSync(kinds[0]).sort()).toEqual([".tmp-new", "6.bin", "8.bin"]);
    expect(fs.readdirSync(kinds[1]).sort()).toEqual(["7.bin", "9.bin"]);
  });
});

describe("columns of numbers as bytes", () => {
  it("round-trips every value bit for bit, NaN and empty columns included", () => {
    const columns = { y: Float64Array.from([0, 1, 1, 0]), p: Float64Array.from([0.1, Number.NaN, 1 / 3, -0]), empty: new Float64Array(0) };
    const back = decodeColumns(encodeColumns(columns))!;
    expect(Object.keys(back)).toEqual(["y", "p", "empty"]);
    for (const name of Object.keys(columns) as Array<keyof typeof columns>) {
      expect(Buffer.from(back[name].buffer).equals(Buffer.from(columns[name].buffer))).toBe(true);
    }
  });

  it("reads anything else as nothing", () => {
    const good = encodeColumns({ y: Float64Array.from([1, 2, 3]) });
    expect(decodeColumns(good.subarray(0, good.length - 1))).toBeNull();
    expect(decodeColumns(Buffer.concat([good, Buffer.alloc(8)]))).toBeNull();
    expect(decodeColumns(Buffer.from("not columns"))).toBeNull();
    expect(decodeColumns(Buffer.alloc(0))).toBeNull();
  });
});
