import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { resetConfigForTests } from "@/lib/config";
import { readDatasetText } from "@/lib/datasets";
import { syntheticCsv } from "@/lib/ml/synthetic";
import { useTestEnv } from "@/lib/testing/env";
import { asRole } from "@/lib/testing/identities";
import { createModelConfig } from "@/lib/training/service";
import { Dataset } from "@/models/Dataset";
import { unstable_doesMiddlewareMatch } from "next/experimental/testing/server";
import { config as proxyConfig } from "@/proxy";
import { POST as postModel } from "../models/route";
import { POST as postDataset } from "./route";

const env = useTestEnv();

let editor: Record<string, string> = {};
beforeAll(async () => {
  // The proxy does not run for uploads, so the route checks the Host itself: tests send an allowed one.
  editor = await asRole("editor", { host: "127.0.0.1" });
});

afterEach(() => {
  delete process.env.MAX_UPLOAD_BYTES;
  resetConfigForTests();
});

function setUploadLimit(bytes: number) {
  process.env.MAX_UPLOAD_BYTES = String(bytes);
  resetConfigForTests();
}

/**
 * A request body produced on demand, 64 KB at a time, with no content-length
 * (as a chunked upload arrives): `pulled()` says how much the server asked for.
 */
function streamedBody(parts: Array<string | { repeat: string; bytes: number }>) {
  const encoder = new TextEncoder();
  const chunks = function* () {
    for (const part of parts) {
      if (typeof part === "string") yield encoder.encode(part);
      else {
        const block = encoder.encode(part.repeat.repeat(Math.ceil((64 * 1024) / part.repeat.length)));
        for (let sent = 0; sent < part.bytes; sent += block.length) yield block.subarray(0, Math.min(block.length, part.bytes - sent));
      }
    }
  };
  const it = chunks();
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = it.next();
        if (next.done) controller.close();
        else {
          pulled += next.value.byteLength;
          controller.enqueue(next.value);
        }
      },
    },
    { highWaterMark: 0 },
  );
  return { body, pulled: () => pulled };
}

const BOUNDARY = "----lab-boundary-7d1f";

function multipartParts(fields: Array<{ name: string; value: string } | { file: string; filename: string; content: string | { repeat: string; bytes: number } }>) {
  const parts: Array<string | { repeat: string; bytes: number }> = [];
  for (const f of fields) {
    if ("value" in f) parts.push(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${f.name}"\r\n\r\n${f.value}\r\n`);
    else {
      parts.push(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${f.file}"; filename="${f.filename}"\r\nContent-Type: text/csv\r\n\r\n`);
      parts.push(f.content, "\r\n");
    }
  }
  parts.push(`--${BOUNDARY}--\r\n`);
  return parts;
}

function post(url: string, contentType: string, body: ReadableStream<Uint8Array> | string) {
  return postDataset(
    new Request(`http://test${url}`, { method: "POST", headers: { ...editor, "content-type": contentType }, body, duplex: "half" } as RequestInit),
    undefined as never,
  );
}

const multipart = `multipart/form-data; boundary=${BOUNDARY}`;

/** Dataset documents and files under DATA_DIR (temporary ones included): what a refused upload must leave as it was. */
async function storedState() {
  return {
    documents: await Dataset.countDocuments(),
    files: fs.existsSync(env.dataDir) ? fs.readdirSync(env.dataDir).sort() : [],
  };
}

/**
 * The longest the event loop was held up while `work` ran, and how long `work` took, in ms.
 * Tests compare the two (parsing on the loop would hold it for most of the work), never
 * the delay against a fixed time: on two shared cores a busy neighbour alone can add 250 ms.
 */
async function maxEventLoopDelay<T>(work: () => Promise<T>): Promise<{ result: T; maxMs: number; elapsedMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const t0 = performance.now();
  try {
    const result = await work();
    return { result, maxMs: histogram.max / 1e6, elapsedMs: performance.now() - t0 };
  } finally {
    histogram.disable();
  }
}

/** About 10 MB: x (numbers) and label (0/1), one "oops" in x near the end. */
function bigCsv(rows = 1_100_000, badAt = 1_000_000): { text: string; badLine: number } {
  const lines = ["x,label"];
  for (let i = 0; i < rows; i++) lines.push(i === badAt ? "oops,1" : `${100 + (i % 9973) / 100},${i % 2}`);
  return { text: lines.join("\n") + "\n", badLine: badAt + 2 };
}

describe("POST /api/datasets streams the body and stops at the limit", () => {
  it("is not run through the proxy, which would buffer the body and cut it at 10 MB", () => {
    const proxied = (url: string) => unstable_doesMiddlewareMatch({ config: proxyConfig, url });
    expect(proxied("/api/datasets")).toBe(false);
    expect(proxied("/api/datasets?name=games")).toBe(false);
    for (const url of ["/", "/datasets", "/api/models", "/api/health", "/api/datasets/other", "/api/datasets-x"]) expect(proxied(url), url).toBe(true);
  });

  it("still refuses a foreign Host and cross-site writes itself, storing nothing", async () => {
    const before = await storedState();
    const send = (headers: Record<string, string>) =>
      postDataset(
        new Request("http://test/api/datasets?name=guarded", { method: "POST", headers: { ...editor, "content-type": "text/csv", ...headers }, body: syntheticCsv(30) }),
        undefined as never,
      );
    expect((await send({ host: "attacker.example" })).status).toBe(403);
    expect((await send({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await send({ origin: "http://attacker.example" })).status).toBe(403);
    expect(await storedState()).toEqual(before);
  });

  it("refuses a chunked multipart upload past the limit after reading little more than the limit, changing nothing", async () => {
    setUploadLimit(1024 * 1024);
    const before = await storedState();
    const upload = streamedBody(
      multipartParts([
        { name: "name", value: "too-big" },
        { file: "file", filename: "big.csv", content: { repeat: "1,0\n", bytes: 20 * 1024 * 1024 } },
      ]),
    );
    const res = await post("/api/datasets", multipart, upload.body);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/larger than the limit of 1 MB/);
    expect(upload.pulled()).toBeLessThan(1.5 * 1024 * 1024);
    expect(await storedState()).toEqual(before);
  });

  it("refuses other parts that go on past the limit, and a chunked text/csv body, the same way", async () => {
    setUploadLimit(1024 * 1024);
    const before = await storedState();
    const padded = streamedBody(
      multipartParts([
        { name: "name", value: "padded" },
        { file: "other", filename: "other.bin", content: { repeat: "z", bytes: 20 * 1024 * 1024 } },
        { file: "file", filename: "small.csv", content: "a,b\n1,0\n" },
      ]),
    );
    expect((await post("/api/datasets", multipart, padded.body)).status).toBe(413);
    expect(padded.pulled()).toBeLessThan(1.5 * 1024 * 1024);
    const trailing = streamedBody(
      multipartParts([
        { file: "file", filename: "small.csv", content: "a,b\n1,0\n" },
        { file: "other", filename: "other.bin", content: { repeat: "z", bytes: 20 * 1024 * 1024 } },
        { name: "name", value: "trailing" },
      ]),
    );
    expect((await post("/api/datasets", multipart, trailing.body)).status).toBe(413);
    expect(trailing.pulled()).toBeLessThan(1.5 * 1024 * 1024);
    const text = streamedBody(["x,label\n", { repeat: "1,0\n", bytes: 20 * 1024 * 1024 }]);
    expect((await post("/api/datasets?name=too-big-text", "text/csv", text.body)).status).toBe(413);
    expect(text.pulled()).toBeLessThan(1.5 * 1024 * 1024);
    expect(await storedState()).toEqual(before);
  });

  it("takes a chunked multipart upload whose name field comes after the file", async () => {
    const csv = syntheticCsv(80, 21);
    const upload = streamedBody(
      multipartParts([
        { file: "file", filename: "ignored.csv", content: csv },
        { name: "name", value: "named-after" },
      ]),
    );
    const res = await post("/api/datasets", multipart, upload.body);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ path: "named-after.csv", rows: 80, columns: ["f1", "f2", "f3", "f4", "label"] });
    expect(await readDatasetText("named-after.csv")).toBe(csv);
  });

  it("changes nothing for any refused upload", async () => {
    const refused: Array<[string, () => Promise<Response>, number]> = [
      ["empty", () => post("/api/datasets?name=empty", "text/csv", ""), 400],
      ["hostile name", () => post("/api/datasets?name=../../etc/evil", "text/csv", "a,b\n1,2\n"), 400],
      ["no name", () => post("/api/datasets", "text/csv", "a,b\n1,2\n"), 400],
      ["40,000 columns", () => post("/api/datasets?name=wide", "text/csv", `${Array.from({ length: 40_000 }, (_, i) => `c${i}`).join(",")}\n`), 400],
      ["reserved column", () => post("/api/datasets?name=proto", "text/csv", "a,constructor\n1,2\n"), 400],
      ["repeated column", () => post("/api/datasets?name=dupes", "text/csv", "a,a\n1,2\n"), 400],
      ["unbalanced quotes", () => post("/api/datasets?name=quotes", "text/csv", 'a,b\n1,"2\n'), 400],
      ["ragged rows", () => post("/api/datasets?name=ragged", "text/csv", "a,b\n1,2\n3\n"), 400],
      ["multipart without a file", () => post("/api/datasets", multipart, multipartParts([{ name: "name", value: "nofile" }]).join("")), 400],
      ["not multipart at all", () => post("/api/datasets", multipart, "garbage"), 400],
      ["unsupported type", () => post("/api/datasets?name=json", "application/json", "{}"), 415],
      ["text/plain", () => post("/api/datasets?name=plain", "text/plain", "a,b\n1,2\n"), 415],
      ["name taken by other content", () => post("/api/datasets?name=named-after", "text/csv", syntheticCsv(30, 99)), 409],
    ];
    for (const [label, send, status] of refused) {
      const before = await storedState();
      const res = await send();
      const body = await res.json();
      expect(res.status, `${label}: ${JSON.stringify(body)}`).toBe(status);
      expect(typeof body.error, label).toBe("string");
      expect(await storedState(), label).toEqual(before);
    }
  });
});

describe("large uploads are parsed off the event loop, and configs are checked against what the upload recorded", () => {
  const big = bigCsv();
  let uploadMs = 0;

  it("stores a 10 MB CSV while the event loop keeps answering", async () => {
    expect(big.text.length).toBeGreaterThan(9.5 * 1024 * 1024);
    const upload = streamedBody([big.text]);
    const { result: res, maxMs, elapsedMs } = await maxEventLoopDelay(() => post("/api/datasets?name=big", "text/csv", upload.body));
    uploadMs = elapsedMs;
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ path: "big.csv", rows: 1_100_000, columns: ["x", "label"] });
    expect(maxMs).toBeLessThan(elapsedMs / 4);
    const doc = await Dataset.findOne({ path: "big.csv" }).lean();
    expect(doc?.facts?.rows).toBe(1_100_000);
    expect(doc?.facts?.columns.map((c) => [c.name, c.numeric, c.binary, c.both_classes])).toEqual([
      ["x", false, false, false],
      ["label", true, true, true],
    ]);
  });

  it("refuses a model config against the 10 MB dataset at once, naming the line, without re-reading the file", async () => {
    const send = () =>
      postModel(
        new Request("http://test/api/models", {
          method: "POST",
          headers: { ...editor, "content-type": "application/json" },
          body: JSON.stringify({ name: "big-x", algorithm: "logistic_regression", features: ["x"], target: "label", training_csv: "big.csv" }),
        }),
        undefined as never,
      );
    await send(); // the first request also loads code and warms the connection
    const { result: res, elapsedMs } = await maxEventLoopDelay(send);
    const body = await res.json();
    expect(res.status).toBe(400);
    expect(body.error).toBe(`The CSV has 1 empty or non-numeric values in the chosen columns; Line ${big.badLine}: "oops" in column "x" is not a number.`);
    expect(body.fields).toEqual({ x: [`Line ${big.badLine}: "oops" in column "x" is not a number.`] });
    // The recorded facts answer it: a small part of what reading the 10 MB file at upload took.
    expect(elapsedMs).toBeLessThan(uploadMs / 5);
  });

  it("computes the facts of a dataset stored before uploads recorded them once, off the event loop, and keeps them", async () => {
    // What an older version left: the file under its name and a document without facts.
    fs.writeFileSync(path.join(env.dataDir, "legacy.csv"), big.text);
    await Dataset.collection.insertOne({ path: "legacy.csv", columns: ["x", "label"], rows: 1_100_000, bytes: Buffer.byteLength(big.text), sha256: crypto.createHash("sha256").update(big.text).digest("hex"), createdAt: new Date(), updatedAt: new Date() });
    const spec = { name: "legacy-x", algorithm: "logistic_regression", features: ["x"], target: "label", training_csv: "legacy.csv" };
    const { result: err, maxMs, elapsedMs } = await maxEventLoopDelay(() => createModelConfig(spec).catch((e: unknown) => e));
    expect((err as Error).message).toBe(`The CSV has 1 empty or non-numeric values in the chosen columns; Line ${big.badLine}: "oops" in column "x" is not a number.`);
    expect(maxMs).toBeLessThan(elapsedMs / 4);
    const doc = await Dataset.findOne({ path: "legacy.csv" }).lean();
    expect(doc?.facts?.columns.map((c) => c.name)).toEqual(["x", "label"]);
  });
});
