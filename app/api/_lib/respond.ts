import { NextResponse } from "next/server";
import { knownError } from "@/app/_lib/error-status";
import { checkRequest } from "@/lib/auth/guards";
import { requireRole, type Identity } from "@/lib/auth/identity";
import type { Role } from "@/lib/auth/roles";
import { config } from "@/lib/config";
import { pageRequestSchema, type PageRequest } from "@/lib/db";
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError, parseInput } from "@/lib/errors";
import { JsonBytes, parseJsonText } from "@/lib/json-body";
import { logger } from "@/lib/log";

export function json(body: unknown, status = 200) {
  return NextResponse.json(body, { status });
}

/** Maps domain errors to HTTP answers; anything unknown is a 500 with a short sentence. */
export function errorResponse(err: unknown) {
  const known = knownError(err);
  if (known) return json(known.fields ? { error: known.message, fields: known.fields } : { error: known.message }, known.status);
  // A library's own 4xx (a malformed body, say) is the client's to see, as one line;
  // its 5xx messages and every stack stay in the log.
  const named = err as { name?: string; message?: string; status?: number };
  if (typeof named?.status === "number" && named.status >= 400 && named.status < 500) {
    const line = typeof named.message === "string" ? named.message.split("\n")[0].slice(0, 300) : "";
    return json({ error: line || "The request could not be handled." }, named.status);
  }
  logger.error({ err }, "unhandled error in route handler");
  return json({ error: "Something went wrong on the server; the error was logged." }, 500);
}

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

/** What a route's body may be: JSON (or nothing), a CSV upload, or a zip archive. */
export type BodyKind = "json" | "upload" | "archive";

const UPLOAD_TYPES = ["multipart/form-data", "text/csv"];

/**
 * Only JSON (or, for uploads, multipart and text/csv) is read: the types an
 * HTML form on another site can send without a preflight (text/plain,
 * urlencoded) are refused with 415 before anything runs.
 */
function checkBodyType(req: Request, kind: BodyKind): void {
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  const hasBody = Number(req.headers.get("content-length") ?? "0") > 0 || req.headers.has("transfer-encoding");
  if (kind === "upload") {
    if (!UPLOAD_TYPES.includes(type)) {
      throw new UnsupportedMediaTypeError("Send the CSV as multipart/form-data (field file) or as a text/csv body with ?name=.");
    }
    return;
  }
  if (kind === "archive") {
    if (type !== "application/zip") throw new UnsupportedMediaTypeError("Send the archive as the body with content-type: application/zip.");
    return;
  }
  if ((type !== "" || hasBody) && type !== "application/json") {
    throw new UnsupportedMediaTypeError("Send the body as JSON with content-type: application/json.");
  }
}

/**
 * Wraps a route handler: the caller must have at least `role` (401 without
 * credentials, 403 with too little), a state-changing request must carry the
 * right body type (415), and thrown domain errors become JSON answers.
 */
export function route<C>(
  role: Role,
  handler: (req: Request, ctx: C, who: Identity) => Promise<Response>,
  body: BodyKind = "json",
  { unproxied = body === "upload" || body === "archive" }: { unproxied?: boolean } = {},
): Handler<C> {
  return async (req, ctx) => {
    try {
      if (unproxied) {
        // The proxy does not run for this path (see proxy.ts's matcher), so its Host and cross-site checks run here.
        const cfg = config();
        const refusal = checkRequest(req, { hosts: cfg.allowedHosts, publicUrl: cfg.publicUrl });
        if (refusal) return json({ error: refusal.message }, refusal.status);
      }
      const who = await requireRole(req.headers, role);
      if (req.method !== "GET" && req.method !== "HEAD") checkBodyType(req, body);
      return await handler(req, ctx, who);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/**
 * Reads a body, counting bytes as they arrive and stopping as soon as it
 * passes the limit (a chunked upload has no content-length to check first), so
 * a huge body is a 413 and is never held in memory whole.
 */
export async function readBytesCapped(req: Request, limitBytes: number): Promise<Buffer> {
  if (Number(req.headers.get("content-length") ?? "0") > limitBytes) throw new PayloadTooLargeError(limitBytes);
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limitBytes) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError(limitBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Reads a body as UTF-8 text with a size limit (see readBytesCapped). */
export async function readTextCapped(req: Request, limitBytes: number): Promise<string> {
  return (await readBytesCapped(req, limitBytes)).toString("utf8");
}

/** Reads a JSON body with a size limit; a bad or huge body is a ValidationError / 413. */
export async function readJson(req: Request, limitBytes = 1024 * 1024): Promise<unknown> {
  return parseJsonText(await readTextCapped(req, limitBytes));
}

/** Reads a JSON body with a size limit (a huge one is a 413) and leaves the parsing to the reader (see JsonBytes). */
export async function readJsonBytes(req: Request, limitBytes = 1024 * 1024): Promise<JsonBytes> {
  return new JsonBytes(await readBytesCapped(req, limitBytes));
}

/** ?limit and ?cursor of a listing, checked (a bad value is a 400 naming it). */
export function pageOf(req: Request): PageRequest {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  return parseInput(pageRequestSchema, params, "The listing's query is not valid.");
}

/** A JSON document the browser saves as a file rather than shows. */
export function download(body: unknown, fileName: string): Response {
  const safe = fileName.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 120);
  return new Response(JSON.stringify(body), {
    headers: { "content-type": "application/json", "content-disposition": `attachment; filename="${safe}"` },
  });
}

/** A file the browser saves rather than shows, from its bytes. */
export function downloadBytes(bytes: Uint8Array, fileName: string, contentType: string): Response {
  const safe = fileName.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 120);
  return new Response(new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength), {
    headers: { "content-type": contentType, "content-disposition": `attachment; filename="${safe}"`, "content-length": String(bytes.byteLength) },
  });
}
