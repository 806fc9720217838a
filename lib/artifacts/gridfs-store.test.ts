import { createHash } from "node:crypto";
import mongoose from "mongoose";
import { describe, expect, it, vi } from "vitest";
import { clearCaches } from "@/lib/cache";
import { resetConfigForTests } from "@/lib/config";
import { buildEnsemble } from "@/lib/ensemble/build";
import { predictWithEnsemble } from "@/lib/ensemble/load";
import { createEnsemble } from "@/lib/ensemble/service";
import { useTestEnv } from "@/lib/testing/env";
import { saveSyntheticDataset } from "@/lib/testing/fixtures";
import { createModelConfig, getModel } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { ArtifactExistsError, ArtifactMissingError, UnsafeArtifactPathError } from "./errors";
import { GridFsArtifactStore } from "./gridfs-store";
import { loadArtifact, saveArtifactSet, verifyArtifact } from "./artifact-set";
import { artifactStoreFor } from "./stores";

const env = useTestEnv();
const store = () => new GridFsArtifactStore("test_artifacts");

describe("the GridFS artifact store", () => {
  it("writes, reads, stats, lists and deletes like a folder, with the same name rules", async () => {
    const s = store();
    const written = await s.write("run1_model.json", '{"a":1}');
    expect(written).toMatchObject({ path: "run1_model.json", bytes: 7 });
    expect((await s.read("run1_model.json")).toString()).toBe('{"a":1}');
    const st = await s.stat("run1_model.json");
    expect(st?.bytes).toBe(7);
    await s.write("sub/run2_scaler.json", "x");
    expect(await s.list()).toEqual(["run1_model.json", "sub/run2_scaler.json"]);
    expect(await s.list("sub/")).toEqual(["sub/run2_scaler.json"]);
    expect(await s.list("run1")).toEqual(["run1_model.json"]);
    const many = await s.statMany(["run1_model.json", "sub/run2_scaler.json", "absent.json"]);
    expect([...many.keys()].sort()).toEqual(["run1_model.json", "sub/run2_scaler.json"]);
    expect(many.get("run1_model.json")?.modifiedMs).toBe((await s.stat("run1_model.json"))?.modifiedMs);
    await s.delete("run1_model.json");
    await s.delete("run1_model.json"); // already gone: fine
    expect(await s.stat("run1_model.json")).toBeNull();
    await expect(s.read("run1_model.json")).rejects.toBeInstanceOf(ArtifactMissingError);
    for (const bad of ["../etc/passwd", "/abs.json", "a/../b.json", "a\\b.json", "nul\u0000.json", "", "a//b.json", "./x.json"]) {
      await expect(s.write(bad, "x")).rejects.toBeInstanceOf(UnsafeArtifactPathError);
      await expect(s.read(bad)).rejects.toBeInstanceOf(UnsafeArtifactPathError);
    }
    expect(() => new GridFsArtifactStore("bad.bucket")).toThrow(UnsafeArtifactPathError);
    expect(artifactStoreFor("gridfs://models").root).toBe("gridfs://models");
  });

  it("verifies checksums on load and reports a tampered file as corrupt", async () => {
    const s = store();
    const saved = await saveArtifactSet(s, "run-verify", { model: { w: [1, 2, 3] } }, {});
    const ref = { path: saved.model.path, sha256: saved.model.sha256, kind: "model" as const, run_id: "run-verify" };
    expect((await loadArtifact<{ w: number[] }>(s, ref)).payload.w).toEqual([1, 2, 3]);
    const tampered = (await s.read(saved.model.path)).toString().replace("[1,2,3]", "[1,2,4]");
    await s.delete(saved.model.path);
    await s.write(saved.model.path, tampered);
    expect((await verifyArtifact(s, ref)).status).toBe("corrupt");
  });

  it("stores standard GridFS that the driver reads, reads the driver's files, and reads its own by chunk _id", async () => {
    const s = store();
    const db = mongoose.connection.db!;
    const bucket = new mongoose.mongo.GridFSBucket(db, { bucketName: "test_artifacts" });
    // Three chunks and a bit: the order of the chunks matters.
    const big = Buffer.from(Array.from({ length: 3 * 255 * 1024 + 17 }, (_, i) => i % 251));
    await s.write("run-interop_model.json", big);
    const parts: Buffer[] = [];
    for await (const part of bucket.openDownloadStreamByName("run-interop_model.json")) parts.push(part as Buffer);
    expect(Buffer.concat(parts).equals(big)).toBe(true);

    // A file another GridFS client wrote (no chunk list in its document) is read through the driver.
    await new Promise<void>((resolve, reject) => bucket.openUploadStream("run-driver_model.json").once("finish", () => resolve()).once("error", reject).end(big));
    expect((await s.read("run-driver_model.json")).equals(big)).toBe(true);

    // Its own files are read by chunk _id: a chunk swapped for another file's is refused, a removed one is a missing artifact.
    const files = db.collection("test_artifacts.files");
    const chunks = db.collection("test_artifacts.chunks");
    const mine = (await files.findOne({ filename: "run-interop_model.json" }))!;
    expect(mine._id).toBe("run-interop_model.json");
    const ids = mine.metadata.chunk_ids as mongoose.Types.ObjectId[];
    expect(ids).toHaveLength(4);
    const second = (await chunks.findOne({ _id: ids[1] }))!;
    await chunks.updateOne({ _id: ids[1] }, { $set: { n: 99 } });
    await expect(s.read("run-interop_model.json")).rejects.toThrow(/belongs to another file/);
    await chunks.updateOne({ _id: ids[1] }, { $set: { n: second.n } });
    await chunks.deleteOne({ _id: ids[3] });
    await expect(s.read("run-interop_model.json")).rejects.toBeInstanceOf(ArtifactMissingError);
    await s.delete("run-interop_model.json");
    expect(await chunks.countDocuments({ _id: { $in: ids } })).toBe(0);
    expect(await files.countDocuments({ filename: "run-interop_model.json" })).toBe(0);
  });

  it("reads a file's chunks once per node: later reads, a new process's too, take its bytes from the node's cache", async () => {
    const s = store();
    const db = mongoose.connection.db!;
    const bytes = Buffer.from(Array.from({ length: 300 * 1024 }, (_, i) => (i * 7) % 256));
    await s.write("run-kept_model.json", bytes);
    const chunkReads = vi.spyOn(mongoose.mongo.Collection.prototype, "findOne");
    const readsOfChunks = () => chunkReads.mock.contexts.filter((c) => (c as { collectionName: string }).collectionName === "test_artifacts.chunks").length;
    try {
      expect((await s.read("run-kept_model.json")).equals(bytes)).toBe(true);
      expect(readsOfChunks()).toBe(2);
      clearCaches(); // what a new process holds in memory: nothing
      expect((await s.read("run-kept_model.json")).equals(bytes)).toBe(true);
      expect(readsOfChunks()).toBe(2);
    } finally {
      chunkReads.mockRestore();
    }

    // Its chunks changed behind the store's back (no writer does that): the kept bytes are still the file's as written, and
    // whoever loads an artifact compares them with the checksum recorded at saving, as for any read.
    await db.collection("test_artifacts.chunks").updateMany({ files_id: "run-kept_model.json" }, { $set: { data: Buffer.from("x") } });
    expect((await s.read("run-kept_model.json")).equals(bytes)).toBe(true);

    // Removed, it is missing though its bytes are kept; written again under the name, the new bytes are read.
    await s.delete("run-kept_model.json");
    await expect(s.read("run-kept_model.json")).rejects.toBeInstanceOf(ArtifactMissingError);
    await s.write("run-kept_model.json", "other bytes");
    expect((await s.read("run-kept_model.json")).toString()).toBe("other bytes");

    // With the cache off, every read reads the chunks.
    process.env.CACHE_MAX_MB = "0";
    resetConfigForTests();
    try {
      const spy = vi.spyOn(mongoose.mongo.Collection.prototype, "findOne");
      await s.read("run-kept_model.json");
      await s.read("run-kept_model.json");
      expect(spy.mock.contexts.filter((c) => (c as { collectionName: string }).collectionName === "test_artifacts.chunks")).toHaveLength(2);
      spy.mockRestore();
    } finally {
      delete process.env.CACHE_MAX_MB;
      resetConfigForTests();
    }
  });

  it("stores a file under its name as _id, its chunks pointing at that name", async () => {
    const s = store();
    await s.write("run-byid_model.json", "by id");
    const files = mongoose.connection.db!.collection<{ _id: string; filename: string }>("test_artifacts.files");
    expect(await files.findOne({ _id: "run-byid_model.json" })).toMatchObject({ filename: "run-byid_model.json" });
    const chunks = mongoose.connection.db!.collection("test_artifacts.chunks");
    expect(await chunks.countDocuments({ files_id: "run-byid_model.json" })).toBe(1);
    expect((await s.read("run-byid_model.json")).toString()).toBe("by id");
  });

  it("refuses a second write of a name, leaving the first file intact, and the copy reports it", async () => {
    const s = store();
    const first = await s.write("run-dup_model.json", "first");
    const before = await s.stat("run-dup_model.json");
    await expect(s.write("run-dup_model.json", "second, longer")).rejects.toBeInstanceOf(ArtifactExistsError);
    // A file of several chunks is refused too, and leaves none of its chunks behind.
    const big = Buffer.alloc(2 * 255 * 1024 + 5, 7);
    await expect(s.write("run-dup_model.json", big)).rejects.toBeInstanceOf(ArtifactExistsError);
    expect((await s.read("run-dup_model.json")).toString()).toBe("first");
    expect(await s.stat("run-dup_model.json")).toEqual(before);
    const chunks = mongoose.connection.db!.collection("test_artifacts.chunks");
    expect(await chunks.countDocuments({ files_id: "run-dup_model.json" })).toBe(1);
    const ref = { path: first.path, sha256: first.sha256 };
    expect(createHash("sha256").update(await s.read(ref.path)).digest("hex")).toBe(ref.sha256);

    const { LocalArtifactStore } = await import("./local-store");
    const { copyArtifacts } = await import("./copy");
    const folder = new LocalArtifactStore(`${env.artifactDir}/dup-source`);
    await folder.write("run-dup_model.json", "other bytes");
    const report = await copyArtifacts(folder, s, new Map());
    expect(report.mismatched).toEqual([{ path: "run-dup_model.json", reason: expect.stringContaining("already in the destination") }]);
    expect((await s.read("run-dup_model.json")).toString()).toBe("first");
  });

  it("still reads, verifies, stats, lists and deletes files of the earlier layout (ObjectId _id, found by filename)", async () => {
    const s = store();
    const db = mongoose.connection.db!;
    const bucket = new mongoose.mongo.GridFSBucket(db, { bucketName: "test_artifacts" });
    // Written as the earlier layout was read: by the driver's plain upload, under an ObjectId, with no chunk list.
    const saved = await saveArtifactSet(new GridFsArtifactStore("staging_old_layout"), "run-old", { model: { w: [4, 5, 6] } }, {});
    const text = await new GridFsArtifactStore("staging_old_layout").read(saved.model.path);
    const upload = bucket.openUploadStream(saved.model.path);
    await new Promise<void>((resolve, reject) => upload.once("finish", () => resolve()).once("error", reject).end(text));
    expect(upload.id).toBeInstanceOf(mongoose.mongo.ObjectId);

    const ref = { path: saved.model.path, sha256: saved.model.sha256, kind: "model" as const, run_id: "run-old" };
    expect((await loadArtifact<{ w: number[] }>(s, ref)).payload.w).toEqual([4, 5, 6]);
    expect((await verifyArtifact(s, ref)).status).toBe("present");
    expect((await s.stat(ref.path))?.bytes).toBe(text.length);
    await s.write("run-new_model.json", "new");
    const many = await s.statMany([ref.path, "run-new_model.json", "absent.json"]);
    expect([...many.keys()].sort()).toEqual([ref.path, "run-new_model.json"].sort());
    // Many names go in one $in query instead of one lookup each: the same answer.
    const absent = Array.from({ length: 20 }, (_, i) => `run-absent${i}_model.json`);
    const lots = await s.statMany([ref.path, "run-new_model.json", ...absent]);
    expect([...lots.keys()].sort()).toEqual([ref.path, "run-new_model.json"].sort());
    expect(lots.get("run-new_model.json")).toEqual(many.get("run-new_model.json"));
    expect(await s.list("run-")).toEqual(expect.arrayContaining([ref.path, "run-new_model.json"]));
    await s.delete(ref.path);
    expect(await s.stat(ref.path)).toBeNull();
    expect(await db.collection("test_artifacts.chunks").countDocuments({ files_id: upload.id })).toBe(0);
  });

  it("answers a repeated listing from one stamp read, and sees every write and delete of the bucket at once", async () => {
    const s = store();
    const names = Array.from({ length: 20 }, (_, i) => `run-seen${i}_model.json`);
    for (const name of names.slice(0, 19)) await s.write(name, name);
    const Collection = mongoose.mongo.Collection.prototype;
    const find = vi.spyOn(Collection, "find");
    const findOne = vi.spyOn(Collection, "findOne");
    const count = () => [...find.mock.contexts, ...findOne.mock.contexts].filter((c) => (c as { collectionName: string }).collectionName === "test_artifacts.files").length;
    try {
      expect((await s.statMany(names)).size).toBe(19);
      const afterFirst = count();
      expect(afterFirst).toBeGreaterThan(0);
      expect((await s.statMany(names)).size).toBe(19);
      expect((await s.statMany(names.slice(0, 5))).size).toBe(5);
      expect(count()).toBe(afterFirst); // answered from what the first listing found

      await s.write(names[19], "late"); // the absent name appears
      expect((await s.statMany(names)).has(names[19])).toBe(true);
      await s.delete(names[0]);
      expect((await s.statMany(names)).has(names[0])).toBe(false);
      expect(count()).toBeGreaterThan(afterFirst);
    } finally {
      find.mockRestore();
      findOne.mockRestore();
    }
  });

  it("leaves no file behind from an upload that died midway, and sweeps its chunks", async () => {
    const bucket = new mongoose.mongo.GridFSBucket(mongoose.connection.db!, { bucketName: "test_artifacts" });
    const upload = bucket.openUploadStream("run-crash_model.json", { chunkSizeBytes: 1024 });
    upload.write(Buffer.alloc(5000, 1));
    await new Promise((r) => setTimeout(r, 200)); // chunks written, file document not yet
    expect(await store().stat("run-crash_model.json")).toBeNull();
    expect(await mongoose.connection.collection("test_artifacts.chunks").countDocuments({ files_id: upload.id })).toBeGreaterThan(0);
    upload.destroy(); // the process dies: no file document ever comes
    expect(await store().removeOrphanChunks(60_000)).toBe(0); // too recent to be sure
    expect(await store().removeOrphanChunks(-60_000)).toBeGreaterThan(0);
    expect(await mongoose.connection.collection("test_artifacts.chunks").countDocuments({ files_id: upload.id })).toBe(0);
  });

  it("serves training, an ensemble build and predictions with ARTIFACT_DIR=gridfs://", async () => {
    process.env.ARTIFACT_DIR = "gridfs://app_artifacts";
    resetConfigForTests();
    try {
      const data = await saveSyntheticDataset("gridfs-base", 300, 5);
      const ids: string[] = [];
      for (const [name, features] of [["gfs-a", ["f1", "f2"]], ["gfs-b", ["f3", "f4"]]] as const) {
        const m = await createModelConfig({ name, algorithm: "logistic_regression", features: [...features], target: "label", training_csv: data.path });
        await trainModel(m.id);
        ids.push(m.id);
      }
      expect((await getModel(ids[0])).artifacts_ok).toBe(true);
      const ens = await createEnsemble({ name: "gfs-stack", base_model_ids: ids, meta_training_csv: data.path });
      const built = await buildEnsemble(ens.id);
      expect(built.base.map((b) => b.source)).toEqual(["artifact", "artifact"]);
      clearCaches();
      const { probabilities } = await predictWithEnsemble(ens.id, { rows: [{ f1: 0.5, f2: -0.5, f3: 5, f4: 0.5 }] });
      expect(probabilities[0]).toBeGreaterThan(0);
      expect(await new GridFsArtifactStore("app_artifacts").list()).toHaveLength(3 * 2 + 2);
    } finally {
      process.env.ARTIFACT_DIR = env.artifactDir;
      resetConfigForTests();
    }
  });
});

describe("copying artifacts between stores", () => {
  it("moves a folder into GridFS and back, verifying every checksum, and refuses a file whose bytes changed", async () => {
    const { LocalArtifactStore } = await import("./local-store");
    const { copyArtifacts } = await import("./copy");
    const folder = new LocalArtifactStore(`${env.artifactDir}/copy-source`);
    const a = await folder.write("run-a_model.json", "A");
    const b = await folder.write("run-b_model.json", "B");
    const bucket = new GridFsArtifactStore("copied");
    const there = await copyArtifacts(folder, bucket, new Map([[a.path, a.sha256]]));
    expect(there.copied.sort()).toEqual([a.path, b.path]);
    expect((await bucket.read(b.path)).toString()).toBe("B");
    expect((await copyArtifacts(folder, bucket, new Map())).unchanged).toHaveLength(2);

    const back = new LocalArtifactStore(`${env.artifactDir}/copy-back`);
    const tampered = await copyArtifacts(bucket, back, new Map([[a.path, "0".repeat(64)]]));
    expect(tampered.copied).toEqual([b.path]);
    expect(tampered.mismatched.map((m) => m.path)).toEqual([a.path]);
    expect(await back.stat(a.path)).toBeNull();
  });
});
