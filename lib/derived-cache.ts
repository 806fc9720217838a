import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { config } from "@/lib/config";
import { childLogger } from "@/lib/log";
import { TEMP_FILE_PREFIX, removeStaleTempFiles } from "@/lib/temp-files";

const log = childLogger("derived-cache");

/**
 * Values derived from content that a name fixes for good (by checksums: a
 * dataset's rows as numbers, a model run's probabilities on them; by a GridFS
 * file's identity: its bytes), kept on this node's disk so a new process finds
 * what an earlier one derived or read. A key names its content completely, so
 * an entry can be missing or evicted, never out of date; a damaged file fails
 * its checksum and is a miss. Nothing here is ever the only
 * copy of anything: a failure to read or write is a miss, logged, never an
 * error.
 *
 * Written by hand: npm's content-addressed cache (cacache) does this and more,
 * but took 63-73 ms to import and 4-6 ms for four reads in a fresh process,
 * about what this cache exists to save there.
 *
 * File layout: MAGIC, then the SHA-256 of the key and the value together, then
 * the value. Written to a temporary file and renamed into place, so readers
 * see whole files only.
 */
const MAGIC = Buffer.from("NBADC1\n\0");
const DIGEST_BYTES = 32;
/** How often (at most) a process looks at the cache's size after writing to it. */
const TRIM_EVERY_MS = 60_000;
/** A trim removes the oldest entries until the cache is under this share of its bound. */
const TRIM_TO = 0.8;

export interface DerivedCache {
  get(key: string): Promise<Buffer | null>;
  set(key: string, value: Buffer): Promise<void>;
}

const lastTrim = new Map<string, number>();

/** The cache of one kind of value (a folder under CACHE_DIR); CACHE_MAX_MB=0 turns every cache off. */
export function derivedCache(kind: string): DerivedCache {
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(kind)) throw new RangeError(`Cache kind "${kind}" must be lowercase letters, digits and dashes.`);
  return {
    async get(key) {
      const { cacheDir, cacheMaxBytes } = config();
      if (cacheMaxBytes === 0) return null;
      const file = fileOf(cacheDir, kind, key);
      let data: Buffer;
      try {
        data = await fs.readFile(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") log.warn({ kind, err: String(err) }, "cache entry unreadable");
        return null;
      }
      const value = valueOf(data, key);
      if (value === null) {
        log.warn({ kind, file: path.basename(file) }, "cache entry damaged; removed");
        await fs.rm(file, { force: true }).catch(() => undefined);
      }
      return value;
    },
    async set(key, value) {
      const { cacheDir, cacheMaxBytes } = config();
      if (cacheMaxBytes === 0 || value.length > cacheMaxBytes * (1 - TRIM_TO)) return;
      const dir = path.join(cacheDir, kind);
      const tmp = path.join(dir, `${TEMP_FILE_PREFIX}${crypto.randomUUID()}`);
      try {
        await fs.mkdir(dir, { recursive: true });
        await fs.writeFile(tmp, Buffer.concat([MAGIC, digestOf(key, value), value]), { flag: "wx" });
        await fs.rename(tmp, fileOf(cacheDir, kind, key));
      } catch (err) {
        log.warn({ kind, err: String(err) }, "could not write a cache entry");
        await fs.rm(tmp, { force: true }).catch(() => undefined);
        return;
      }
      const now = Date.now();
      if (now - (lastTrim.get(cacheDir) ?? 0) < TRIM_EVERY_MS) return;
      lastTrim.set(cacheDir, now);
      await trimCache(cacheDir, cacheMaxBytes).catch((err: unknown) => log.warn({ kind, err: String(err) }, "could not trim the cache"));
    },
  };
}

function fileOf(cacheDir: string, kind: string, key: string): string {
  return path.join(cacheDir, kind, `${crypto.createHash("sha256").update(key).digest("hex")}.bin`);
}

function digestOf(key: string, value: Buffer): Buffer {
  return crypto.createHash("sha256").update(key).update("\0").update(value).digest();
}

/** The value a file holds for `key`, or null when it is not a whole entry for that key. */
function valueOf(data: Buffer, key: string): Buffer | null {
  const head = MAGIC.length + DIGEST_BYTES;
  if (data.length < head || !data.subarray(0, MAGIC.length).equals(MAGIC)) return null;
  const value = data.subarray(head);
  return digestOf(key, value).equals(data.subarray(MAGIC.length, head)) ? value : null;
}

/**
 * Removes the oldest entries of every kind (by when they were written) until
 * the cache holds at most TRIM_TO of `maxBytes`, and temporary files a process
 * left when it died mid-write. Returns how many files it removed.
 */
export async function trimCache(cacheDir: string, maxBytes: number, now = Date.now()): Promise<number> {
  const removedTemp = await removeStaleTempFiles(cacheDir, now - TRIM_EVERY_MS * 10);
  const entries: Array<{ file: string; size: number; mtimeMs: number }> = [];
  for (const kind of await fs.readdir(cacheDir).catch(() => [] as string[])) {
    const dir = path.join(cacheDir, kind);
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (name.startsWith(TEMP_FILE_PREFIX)) continue;
      const file = path.join(dir, name);
      // lstat: a link is never followed, so nothing outside the cache is removed.
      const st = await fs.lstat(file).catch(() => null);
      if (st?.isFile()) entries.push({ file, size: st.size, mtimeMs: st.mtimeMs });
    }
  }
  let removed = removedTemp.length;
  let total = entries.reduce((sum, e) => sum + e.size, 0);
  if (total <= maxBytes) return removed;
  entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const e of entries) {
    if (total <= maxBytes * TRIM_TO) break;
    await fs.rm(e.file, { force: true });
    total -= e.size;
    removed++;
  }
  return removed;
}

/** Float64 columns as one buffer (a JSON header naming them, then their bytes), and back. */
export function encodeColumns(columns: Record<string, Float64Array>): Buffer {
  const names = Object.keys(columns);
  const header = Buffer.from(JSON.stringify(names.map((name) => [name, columns[name].length])));
  // The header is padded so the numbers start on an 8-byte boundary after the 4-byte length.
  const pad = (8 - ((4 + header.length) % 8)) % 8;
  const parts = [Buffer.alloc(4), header, Buffer.alloc(pad, 0x20), ...names.map((n) => Buffer.from(columns[n].buffer, columns[n].byteOffset, columns[n].byteLength))];
  parts[0].writeUInt32LE(header.length + pad);
  return Buffer.concat(parts);
}

export function decodeColumns(data: Buffer): Record<string, Float64Array> | null {
  try {
    const headerBytes = data.readUInt32LE(0);
    const names = JSON.parse(data.subarray(4, 4 + headerBytes).toString("utf8")) as Array<[string, number]>;
    const out: Record<string, Float64Array> = {};
    let at = 4 + headerBytes;
    for (const [name, length] of names) {
      if (typeof name !== "string" || !Number.isInteger(length) || length < 0 || at + length * 8 > data.length) return null;
      // Copied out: the file's buffer need not be 8-byte aligned.
      out[name] = new Float64Array(data.buffer.slice(data.byteOffset + at, data.byteOffset + at + length * 8));
      at += length * 8;
    }
    return at === data.length ? out : null;
  } catch {
    return null;
  }
}
