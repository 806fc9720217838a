import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { TEMP_FILE_PREFIX } from "@/lib/temp-files";
import { ArtifactMissingError, UnsafeArtifactPathError } from "./errors";
import type { ArtifactStat, ArtifactStore, WriteResult } from "./store";

export interface LocalStoreFaults {
  /** Runs after the temporary file is written and synced, before the rename: lets tests simulate a crash there. */
  afterTempWrite?: (tmpPath: string) => void | Promise<void>;
}

/** Shared with the sweep that removes what crashed writes leave. */
const TEMP_PREFIX = TEMP_FILE_PREFIX;

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== "" && rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function toPosix(rel: string): string {
  return rel.split(path.sep).join("/");
}

function errorCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}

/**
 * Maps a stored path to an absolute path inside `root`, or throws
 * UnsafeArtifactPathError. Purely lexical (no filesystem access), so it is safe to
 * call on untrusted input; LocalArtifactStore adds the symlink check, which needs
 * the filesystem. Any ".." segment is refused even when it would land back inside
 * the root: stored paths are written by this module and never contain one, so a
 * ".." means the document was edited by hand or by an attacker.
 */
export function resolveInsideRoot(root: string, relPath: string): string {
  if (typeof relPath !== "string" || relPath.trim() === "") {
    throw new UnsafeArtifactPathError(String(relPath), "it is empty");
  }
  if (relPath.includes("\0")) {
    throw new UnsafeArtifactPathError(relPath, "it contains a NUL byte");
  }
  const absRoot = path.resolve(root);
  let relative = relPath;
  if (path.isAbsolute(relPath)) {
    const absolute = path.resolve(relPath);
    if (!isInside(absRoot, absolute)) {
      throw new UnsafeArtifactPathError(relPath, "it is an absolute path outside the artifact directory");
    }
    relative = path.relative(absRoot, absolute);
  }
  // Backslashes count as separators too, so "a\..\b" cannot slip through on any platform.
  if (relative.split(/[\\/]+/).includes("..")) {
    throw new UnsafeArtifactPathError(relPath, 'it contains a ".." segment');
  }
  const resolved = path.resolve(absRoot, relative);
  if (resolved === absRoot) {
    throw new UnsafeArtifactPathError(relPath, "it names the artifact directory itself rather than a file in it");
  }
  if (!isInside(absRoot, resolved)) {
    throw new UnsafeArtifactPathError(relPath, "it resolves outside the artifact directory");
  }
  return resolved;
}

/** Artifacts on the local filesystem under one root directory. */
export class LocalArtifactStore implements ArtifactStore {
  readonly root: string;
  private readonly faults: LocalStoreFaults;

  constructor(root: string, faults: LocalStoreFaults = {}) {
    this.root = path.resolve(root);
    this.faults = faults;
  }

  async write(relPath: string, data: string | Buffer): Promise<WriteResult> {
    const target = await this.safePath(relPath);
    const dir = path.dirname(target);
    await fs.mkdir(dir, { recursive: true });
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    // The name is capped so the temp file stays under the 255-byte file name limit.
    const tmp = path.join(dir, `${TEMP_PREFIX}${randomBytes(6).toString("hex")}-${path.basename(target).slice(0, 120)}`);
    let created = false;
    try {
      // "wx" refuses to reuse an existing entry, so a planted symlink at the temp name cannot redirect the write.
      const handle = await fs.open(tmp, "wx", 0o644);
      created = true;
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.faults.afterTempWrite?.(tmp);
      await fs.rename(tmp, target);
    } catch (err) {
      if (created) await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    // Without this the rename itself may not survive a power cut, even though the file's bytes would.
    await syncDirectory(dir);
    return { path: toPosix(path.relative(this.root, target)), bytes: bytes.length, sha256 };
  }

  async read(relPath: string): Promise<Buffer> {
    const target = await this.safePath(relPath);
    try {
      return await fs.readFile(target);
    } catch (err) {
      const code = errorCode(err);
      if (code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR") {
        throw new ArtifactMissingError(relPath, undefined, { cause: err });
      }
      throw err;
    }
  }

  async stat(relPath: string): Promise<ArtifactStat | null> {
    const target = await this.safePath(relPath);
    try {
      const st = await fs.stat(target);
      return st.isFile() ? { bytes: st.size, modifiedMs: st.mtimeMs } : null;
    } catch (err) {
      const code = errorCode(err);
      if (code === "ENOENT" || code === "ENOTDIR") return null;
      throw err;
    }
  }

  async delete(relPath: string): Promise<void> {
    const target = await this.safePath(relPath);
    try {
      await fs.unlink(target);
    } catch (err) {
      const code = errorCode(err);
      if (code === "ENOENT" || code === "ENOTDIR") return;
      throw err;
    }
  }

  async list(prefix = ""): Promise<string[]> {
    if (prefix.includes("\0")) throw new UnsafeArtifactPathError(prefix, "it contains a NUL byte");
    let relPrefix = prefix;
    if (path.isAbsolute(prefix)) {
      // A caller's path, checked just below: not a file the build should trace (Turbopack warned it would trace the whole project).
      const absolute = path.resolve(/*turbopackIgnore: true*/ prefix);
      if (absolute !== this.root && !isInside(this.root, absolute)) {
        throw new UnsafeArtifactPathError(prefix, "it is an absolute path outside the artifact directory");
      }
      relPrefix = toPosix(path.relative(this.root, absolute)) + (/[\\/]$/.test(prefix) ? "/" : "");
    }
    if (relPrefix.split(/[\\/]+/).includes("..")) {
      throw new UnsafeArtifactPathError(prefix, 'it contains a ".." segment');
    }
    relPrefix = relPrefix.replace(/\\/g, "/").replace(/^(\.\/)+/, "");
    // Walk only the directory the prefix points into, not the whole tree.
    const startRel = relPrefix.includes("/") ? relPrefix.slice(0, relPrefix.lastIndexOf("/")) : "";
    const start = startRel === "" ? this.root : resolveInsideRoot(this.root, startRel);
    await this.assertNoSymlinkEscape(start, prefix);
    const found: string[] = [];
    await walk(start, this.root, found);
    return found.filter((p) => p.startsWith(relPrefix)).sort();
  }

  /** Lexical check, then the real one: a symlink inside the root may still point outside it. */
  private async safePath(relPath: string): Promise<string> {
    const target = resolveInsideRoot(this.root, relPath);
    await this.assertNoSymlinkEscape(target, relPath);
    return target;
  }

  /**
   * Resolves the deepest part of `target` that exists (lstat, so a dangling link
   * counts as existing) and requires its real location to be the root or inside
   * it. Parts that do not exist yet cannot be links, and write creates them as
   * plain directories.
   */
  private async assertNoSymlinkEscape(target: string, shownPath: string): Promise<void> {
    // Both at once: a target that exists (every read) needs no walk up to the part that does.
    const [realRoot, realTarget] = await Promise.all([fs.realpath(this.root).catch(() => null), fs.realpath(target).catch(() => null)]);
    if (realRoot === null) return; // no root yet, so nothing under it can be a link
    if (realTarget !== null) {
      if (realTarget !== realRoot && !isInside(realRoot, realTarget)) {
        throw new UnsafeArtifactPathError(shownPath, "it goes through a symbolic link that leads outside the artifact directory");
      }
      return;
    }
    let probe = target;
    while (probe !== this.root && isInside(this.root, probe)) {
      const exists = await fs.lstat(probe).then(
        () => true,
        () => false,
      );
      if (exists) break;
      probe = path.dirname(probe);
    }
    if (probe === this.root) return;
    let real: string;
    try {
      real = await fs.realpath(probe);
    } catch (err) {
      const code = errorCode(err);
      if (code !== "ENOENT" && code !== "ELOOP") throw err;
      throw new UnsafeArtifactPathError(shownPath, "it goes through a symbolic link that cannot be resolved");
    }
    if (real !== realRoot && !isInside(realRoot, real)) {
      throw new UnsafeArtifactPathError(shownPath, "it goes through a symbolic link that leads outside the artifact directory");
    }
  }
}

/**
 * Collects regular files under `dir` as root-relative posix paths. Symlinks are
 * skipped rather than followed, so listing cannot wander outside the root; hidden
 * files are skipped because artifacts never start with a dot, and temporary files
 * of unfinished writes (and health probes) do.
 */
async function walk(dir: string, root: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = errorCode(err);
    if (code === "ENOENT" || code === "ENOTDIR") return;
    throw err;
  }
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, root, out);
    else if (entry.isFile()) out.push(toPosix(path.relative(root, full)));
  }
}

async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch (err) {
    // Some platforms and filesystems cannot open or fsync a directory; the rename has still happened.
    const code = errorCode(err);
    if (code !== "EISDIR" && code !== "EINVAL" && code !== "EPERM" && code !== "EBADF" && code !== "ENOTSUP") throw err;
  } finally {
    await handle?.close();
  }
}
