import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import mongoose from "mongoose";
import { describe, expect, it, vi } from "vitest";
import { clearCaches } from "@/lib/cache";
import { DEFAULT_CACHE_FOLDER, resetConfigForTests } from "@/lib/config";
import { ConflictError } from "@/lib/errors";
import { syntheticCsv } from "@/lib/ml/synthetic";
import { useTestEnv } from "@/lib/testing/env";
import { useNodes } from "@/lib/testing/nodes";
import { createModelConfig } from "@/lib/training/service";
import { trainModel } from "@/lib/training/train";
import { Dataset } from "@/models/Dataset";
import { DATASET_BUCKET } from "./bytes";
import { UNUSED_COPY_GRACE_MS } from "./read";
import { datasetFacts, datasetSource, listDatasets, moveFolderDatasetsToGridFs, readDataset, readDatasetText, removeDataset, saveDataset, sweepDatasetLeftovers } from "./index";

// Datasets when ARTIFACT_DIR is gridfs://: nodes that share no disk. "Another
// node" is this process with a different, empty DATA_DIR.
const env = useTestEnv();
const sha256 = (data: string | Buffer) => crypto.createHash("sha256").update(data).digest("hex");
const becomeNode = useNodes(env);

const files = () => mongoose.connection.collection(`${DATASET_BUCKET}.files`);
const chunks = () => mongoose.connection.collection(`${DATASET_BUCKET}.chunks`);
const bucket = () => new mongoose.mongo.GridFSBucket(mongoose.connection.db!, { bucketName: DATASET_BUCKET });
/** A node's folder holds nothing but what uploads are still writing, and its cache of what it read (CACHE_DIR). */
const leftovers = (dir: string) => fs.readdirSync(dir).filter((f) => f !== DEFAULT_CACHE_FOLDER);

async function storeInGridFs(name: string, data: string | Buffer, at?: Date): Promise<mongoose.Types.ObjectId> {
  const upload = bucket().openUploadStream(name);
  await new Promise<void>((resolve, reject) => upload.once("finish", () => resolve()).once("error", reject).end(data));
  if (at) await files().updateOne({ _id: upload.id }, { $set: { uploadDate: at } });
  return upload.id;
}


describe("datasets when the artifacts are in GridFS", () => {
  it("an upload on one node is stored in the database, and another node with an empty folder reads and trains on it", async () => {
    const nodeA = becomeNode("a-upload");
    // Over three GridFS chunks (255 KB each), so chunks are put back together in order.
    const text = syntheticCsv(30_000, 21);
    expect(text.length).toBeGreaterThan(3 * 255 * 1024);
    const info = await saveDataset({ name: "shared-games", text });
    expect(info).toMatchObject({ path: "shared-games.csv", rows: 30_000 });
    const doc = (await Dataset.findOne({ path: "shared-games.csv" }).lean())!;
    expect(doc).toMatchObject({ state: "ready", store: `gridfs://${DATASET_BUCKET}`, sha256: sha256(text) });
    expect(await files().countDocuments({ filename: doc.file })).toBe(1);
    expect(leftovers(nodeA)).toEqual([]);

    const nodeB = becomeNode("b-train");
    expect(await readDatasetText("shared-games.csv")).toBe(text);
    expect((await datasetFacts("shared-games.csv")).facts.rows).toBe(30_000);
    const model = await createModelConfig({ name: "trained-elsewhere", algorithm: "logistic_regression", features: ["f1", "f2"], target: "label", training_csv: "shared-games.csv" });
    const { result } = await trainModel(model.id);
    expect(result.metrics.accuracy).toBeGreaterThan(0.6);
    expect(leftovers(nodeB)).toEqual([]);
    expect((await listDatasets()).map((d) => d.path)).toContain("shared-games.csv");

    await removeDataset("shared-games.csv");
    expect(await files().countDocuments({ filename: doc.file })).toBe(0);
    expect(await chunks().countDocuments({})).toBe(0);
  });

  it("a node reads a dataset's chunks once: later reads, a new process's too, take its bytes from the node's cache", async () => {
    becomeNode("g-kept");
    const text = syntheticCsv(2_000, 25);
    await saveDataset({ name: "kept-bytes", text });
    const spy = vi.spyOn(mongoose.mongo.Collection.prototype, "findOne");
    const chunkReads = () => spy.mock.contexts.filter((c) => (c as { collectionName: string }).collectionName === `${DATASET_BUCKET}.chunks`).length;
    try {
      expect(await readDatasetText("kept-bytes.csv")).toBe(text);
      const first = chunkReads();
      expect(first).toBeGreaterThan(0);
      clearCaches(); // what a new process holds in memory: nothing
      expect(await readDatasetText("kept-bytes.csv")).toBe(text);
      expect(chunkReads()).toBe(first);
    } finally {
      spy.mockRestore();
    }
  });

  it("bytes that changed in the database since the upload are refused, as a file that changed on disk is", async () => {
    becomeNode("c-tamper");
    const text = syntheticCsv(200, 22);
    await saveDataset({ name: "tampered", text });
    const doc = (await Dataset.findOne({ path: "tampered.csv" }).lean())!;
    // Stored under its name as _id; a copy of the earlier layout (ObjectId _id, found by filename) is read when that is gone.
    expect(await files().countDocuments({ _id: doc.file! as never })).toBe(1);
    await bucket().delete(doc.file! as never);
    await storeInGridFs(doc.file!, text);
    expect((await readDataset("tampered.csv")).rows).toBe(200);
    for (const f of await bucket().find({ filename: doc.file! }).toArray()) await bucket().delete(f._id);
    await storeInGridFs(doc.file!, text.replace(/\n1,/, "\n0,").replace(/,1\n/, ",0\n"));
    await expect(readDataset("tampered.csv")).rejects.toThrow(/"tampered\.csv" changed on disk since it was uploaded; upload it again/);
    // Gone altogether: missing, in the usual words.
    for (const f of await bucket().find({ filename: doc.file! }).toArray()) await bucket().delete(f._id);
    await expect(readDataset("tampered.csv")).rejects.toThrow(/"tampered\.csv" does not exist; upload it again/);
  });

  it("six concurrent uploads under one name through two nodes: one wins, and no loser leaves bytes in the database", async () => {
    const texts = Array.from({ length: 6 }, (_, i) => syntheticCsv(300 + i * 10, 30 + i));
    const nodeA = becomeNode("d-race-a");
    const outcomes = await Promise.allSettled(texts.map((text) => saveDataset({ name: "raced", text })));
    const won = outcomes.flatMap((o, i) => (o.status === "fulfilled" ? [i] : []));
    expect(won).toHaveLength(1);
    for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toBeInstanceOf(ConflictError);
    const doc = (await Dataset.findOne({ path: "raced.csv" }).lean())!;
    expect((await files().find({ filename: /^raced~/ }).toArray()).map((f) => f.filename)).toEqual([doc.file]);
    expect(leftovers(nodeA)).toEqual([]);
    becomeNode("d-race-b");
    expect(await readDatasetText("raced.csv")).toBe(texts[won[0]]);
  });

  it("facts are computed from the database copy when a document lacks them, leaving no temporary file", async () => {
    const node = becomeNode("e-facts");
    await saveDataset({ name: "no-facts", text: syntheticCsv(120, 23) });
    await Dataset.updateOne({ path: "no-facts.csv" }, { $unset: { facts: 1 } });
    const { facts } = await datasetFacts("no-facts.csv");
    expect(facts.rows).toBe(120);
    expect((await Dataset.findOne({ path: "no-facts.csv" }).lean())?.facts?.rows).toBe(120);
    expect(leftovers(node)).toEqual([]);
  });
});

describe("what crashed uploads leave in GridFS", () => {
  const hoursAgo = (h: number) => new Date(Date.now() - h * 60 * 60 * 1000);

  it("a takeover removes the abandoned upload's bytes; the sweep removes stale claims, unreferenced files and orphan chunks, and keeps the rest", async () => {
    becomeNode("f-sweep");
    const live = await saveDataset({ name: "kept", text: syntheticCsv(80, 24) });
    const liveFile = (await Dataset.findOne({ path: live.path }).lean())!.file!;
    await files().updateOne({ filename: liveFile }, { $set: { uploadDate: hoursAgo(3) } });

    // An upload that claimed its name, stored its bytes and died before marking itself ready, two hours ago.
    const claim = async (name: string) => {
      const id = new mongoose.Types.ObjectId();
      const file = `${name}~${String(id)}.csv`;
      const text = syntheticCsv(40, 25);
      await storeInGridFs(file, text, hoursAgo(2));
      await Dataset.collection.insertOne({ _id: id, path: `${name}.csv`, file, store: `gridfs://${DATASET_BUCKET}`, state: "pending", columns: ["f1"], rows: 40, bytes: text.length, sha256: sha256(text), createdAt: hoursAgo(2), updatedAt: hoursAgo(2) });
      return file;
    };
    const takenOver = await claim("taken-over");
    const info = await saveDataset({ name: "taken-over", text: syntheticCsv(60, 26) });
    expect(info.rows).toBe(60);
    expect(await files().countDocuments({ filename: takenOver })).toBe(0);

    const abandoned = await claim("abandoned");
    const stray = `stray~${"a".repeat(24)}.csv`;
    await storeInGridFs(stray, "x\n1\n", hoursAgo(2));
    const fresh = `fresh~${"b".repeat(24)}.csv`;
    await storeInGridFs(fresh, "x\n1\n");
    // An upload that died between its chunks and its file document.
    const dead = bucket().openUploadStream(`dead~${"c".repeat(24)}.csv`, { chunkSizeBytes: 1024 });
    dead.write(Buffer.alloc(5000, 1));
    await new Promise((r) => setTimeout(r, 200));
    dead.destroy();
    expect(await chunks().countDocuments({ files_id: dead.id })).toBeGreaterThan(0);

    const swept = await sweepDatasetLeftovers({ olderThanMs: 60 * 60 * 1000, now: Date.now() + 60 * 1000 });
    expect(swept.claims).toEqual(["abandoned.csv"]);
    expect(swept.files).toEqual([`gridfs://${DATASET_BUCKET}/${stray}`]);
    expect(await files().countDocuments({ filename: abandoned })).toBe(0);
    expect(await files().countDocuments({ filename: fresh })).toBe(1);
    expect(await files().countDocuments({ filename: liveFile })).toBe(1);
    expect(await chunks().countDocuments({ files_id: dead.id })).toBeGreaterThan(0);
    // Orphan chunks are dropped once older than the cutoff (here: the sweep is told it runs two hours later).
    await sweepDatasetLeftovers({ olderThanMs: 60 * 60 * 1000, now: Date.now() + 2 * 60 * 60 * 1000 + 60 * 1000 });
    expect(await chunks().countDocuments({ files_id: dead.id })).toBe(0);
    expect(await readDatasetText("kept.csv")).toContain("label");
  });
});

describe("a node's copies of datasets kept in GridFS", () => {
  it("are removed once their dataset is deleted, by the sweep and by the next copy a node makes, never while in use", async () => {
    const node = becomeNode("copies");
    const copies = path.join(node, ".copies");
    const deleted = await saveDataset({ name: "copied-then-deleted", text: syntheticCsv(50, 31) });
    const kept = await saveDataset({ name: "copied-and-kept", text: syntheticCsv(50, 32) });
    const deletedCopy = path.basename((await datasetSource(deleted.path)).file);
    const keptCopy = path.basename((await datasetSource(kept.path)).file);
    expect(fs.readdirSync(copies).sort()).toEqual([deletedCopy, keptCopy].sort());

    await removeDataset(deleted.path);
    // Within the grace a reader handed the path a moment ago still opens it.
    expect((await sweepDatasetLeftovers({ olderThanMs: 60 * 60 * 1000 })).copies).toEqual([]);
    const later = Date.now() + UNUSED_COPY_GRACE_MS + 60_000;
    expect((await sweepDatasetLeftovers({ olderThanMs: 60 * 60 * 1000, now: later })).copies).toEqual([deletedCopy]);
    expect(fs.readdirSync(copies)).toEqual([keptCopy]);

    // A web node runs no sweep: its next new copy removes what deleted datasets left.
    const another = await saveDataset({ name: "copied-later", text: syntheticCsv(50, 33) });
    await removeDataset(kept.path);
    const old = new Date(Date.now() - UNUSED_COPY_GRACE_MS - 60_000);
    fs.utimesSync(path.join(copies, keptCopy), old, old);
    const anotherCopy = path.basename((await datasetSource(another.path)).file);
    await expect.poll(() => fs.readdirSync(copies)).toEqual([anotherCopy]);
    expect(await readDatasetText(another.path)).toContain("label");
  });
});

describe("datasets stored in a node's folder before the move to GridFS", () => {
  it("another node says where the dataset is, and npm run datasets:to-gridfs on the node holding it moves it, verified", async () => {
    const old = becomeNode("g-old-node", "folder");
    const text = syntheticCsv(150, 27);
    await saveDataset({ name: "from-before", text });
    fs.writeFileSync(path.join(old, "legacy.csv"), text);
    await Dataset.collection.insertOne({ path: "legacy.csv", columns: ["f1", "f2", "f3", "f4", "label"], rows: 150, bytes: text.length, sha256: sha256(text), createdAt: new Date(), updatedAt: new Date() });
    const bad = syntheticCsv(150, 28);
    await saveDataset({ name: "altered", text: bad });
    const alteredFile = (await Dataset.findOne({ path: "altered.csv" }).lean())!.file!;
    fs.writeFileSync(path.join(old, alteredFile), bad.replace("label", "lab3l"));

    becomeNode("g-new-node");
    await expect(readDatasetText("from-before.csv")).rejects.toThrow(/is in the data folder of the node that received it, not on this one; move it into the database with npm run datasets:to-gridfs/);

    // On the node that holds the files, configured like the rest of the cluster.
    process.env.DATA_DIR = old;
    resetConfigForTests();
    const report = await moveFolderDatasetsToGridFs();
    expect(report.moved.sort()).toEqual(["from-before.csv", "legacy.csv"]);
    expect(report.refused).toEqual([{ path: "altered.csv", reason: expect.stringMatching(/does not match the SHA-256 recorded at upload/) }]);
    expect((await moveFolderDatasetsToGridFs()).moved).toEqual([]);
    // Written in the current layout (_id = file name). A run that died after writing the copy but before pointing the
    // document at it leaves that copy: the next run checks it and uses it, as GridFS writes a name once.
    const moved = (await Dataset.findOne({ path: "from-before.csv" }).lean())!;
    expect(await files().countDocuments({ _id: moved.file! as never })).toBe(1);
    await Dataset.updateOne({ _id: moved._id }, { $unset: { store: 1 } });
    expect((await moveFolderDatasetsToGridFs()).moved).toEqual(["from-before.csv"]);
    expect(await files().countDocuments({ filename: moved.file! })).toBe(1);

    becomeNode("g-other-node");
    expect(await readDatasetText("from-before.csv")).toBe(text);
    expect(await readDatasetText("legacy.csv")).toBe(text);
    const legacy = (await Dataset.findOne({ path: "legacy.csv" }).lean())!;
    expect(legacy.store).toBe(`gridfs://${DATASET_BUCKET}`);
    expect(legacy.file).toMatch(/^legacy~[a-f0-9]{24}\.csv$/);
    expect((await Dataset.findOne({ path: "altered.csv" }).lean())!.store).toBeUndefined();
  });
});
