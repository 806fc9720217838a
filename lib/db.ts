import mongoose from "mongoose";
import { z } from "zod";
import { config } from "./config";
import { NotFoundError } from "./errors";

/**
 * One mongoose connection per process, kept on globalThis so that Next.js hot
 * reload and repeated imports reuse it instead of opening a new pool each time.
 */
interface Cache {
  uri?: string;
  promise?: Promise<typeof mongoose>;
}
const globalCache = globalThis as unknown as { __mongooseCache?: Cache };
const cache: Cache = (globalCache.__mongooseCache ??= {});

export class DatabaseUnavailableError extends Error {
  constructor(uri: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Cannot reach the database at ${redactUri(uri)} (${reason}). ` +
        `Start it with "npm start" (embedded) or set MONGODB_URI to a running MongoDB server.`,
    );
    this.name = "DatabaseUnavailableError";
  }
}

export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^@/]+)@/, "//***@");
}

mongoose.set("strictQuery", true);

export async function connectDb(uri: string = config().mongodbUri): Promise<typeof mongoose> {
  if (cache.promise && cache.uri === uri) return cache.promise;
  if (cache.promise && cache.uri !== uri) await mongoose.disconnect();
  cache.uri = uri;
  cache.promise = mongoose
    .connect(uri, { serverSelectionTimeoutMS: 3000, autoIndex: true })
    .catch((err: unknown) => {
      cache.promise = undefined;
      throw new DatabaseUnavailableError(uri, err);
    });
  return cache.promise;
}

export async function disconnectDb(): Promise<void> {
  cache.promise = undefined;
  cache.uri = undefined;
  await mongoose.disconnect();
}

/** A round trip to the server; throws DatabaseUnavailableError when it does not answer. */
export async function pingDb(timeoutMs = 1500): Promise<void> {
  const uri = config().mongodbUri;
  const m = await connectDb(uri);
  const db = m.connection.db;
  if (!db) throw new DatabaseUnavailableError(uri, "no connection");
  await Promise.race([
    db.admin().command({ ping: 1 }),
    new Promise((_, reject) => setTimeout(() => reject(new DatabaseUnavailableError(uri, "ping timed out")), timeoutMs)),
  ]);
}

/**
 * Waits until the connection has created every registered model's collection
 * and indexes, which mongoose starts in the background on connecting: a process
 * that calls this before its first job keeps that job's queries from queueing
 * behind a dozen createIndexes. It only waits; a failed index stays mongoose's
 * to report, as it would without this.
 */
export async function connectionSettled(): Promise<void> {
  await connectDb();
  await Promise.allSettled(mongoose.modelNames().map((name) => mongoose.model(name).init()));
}

/** A document by id as a plain object, or NotFoundError (404) naming what was looked for. */
export async function findByIdOrThrow<T>(
  model: mongoose.Model<any>, // any collection
  id: string,
  what: string,
): Promise<T> {
  if (!mongoose.isValidObjectId(id)) throw new NotFoundError(what, id);
  await connectDb();
  const doc = await model.findById(id).lean<T>();
  if (!doc) throw new NotFoundError(what, id);
  return doc;
}

/**
 * The documents with these ids as plain objects, missing ones left out, in
 * the order asked: one lookup by `_id` each, all at once. For a handful of ids
 * (a build's base models, a job's claims), not for pages. Why not one `$in`:
 * the embedded FerretDB decodes every document of the collection for an `$in`,
 * while it compares a bare `_id` inside SQLite (5 of 500 model configs: 152 ms
 * by `$in`, 18.5 ms by five lookups at once). On MongoDB both use the `_id` index.
 */
export async function findByIds<T>(
  model: mongoose.Model<any>, // any collection
  ids: readonly unknown[],
  projection?: Record<string, 0 | 1>,
): Promise<T[]> {
  const docs = await Promise.all(ids.map((id) => model.findById(id, projection).lean<T>()));
  return docs.filter((d): d is NonNullable<typeof d> => d != null) as T[];
}

/** A stored date as the API shows it. */
export function isoOrNull(d: Date | null | undefined): string | null {
  return d ? new Date(d).toISOString() : null;
}

/** A listing page: at most `limit` items after the one `cursor` names (an id from a previous page's next_cursor). */
export interface PageRequest {
  limit: number;
  cursor?: string;
}

export const pageRequestSchema = z
  .object({
    limit: z.coerce.number({ error: "limit must be a number" }).int("limit must be a whole number").min(1, "limit must be at least 1").max(200, "limit must be at most 200").default(50),
    cursor: z.string().regex(/^[a-f0-9]{24}$/i, "cursor must be the next_cursor of a previous page").optional(),
  })
  .strict();

/**
 * One page of a collection in _id order (creation order), oldest first or
 * newest first. The _id index serves it whatever the collection's size, and a
 * cursor stays valid while documents are added or removed elsewhere.
 */
export async function findPage<T extends { _id: mongoose.Types.ObjectId }>(
  model: mongoose.Model<any>, // any collection
  filter: Record<string, unknown>,
  page: PageRequest,
  order: 1 | -1 = 1,
  projection?: Record<string, 0 | 1>,
): Promise<{ items: T[]; next_cursor: string | null }> {
  await connectDb();
  const after = page.cursor ? { _id: { [order === 1 ? "$gt" : "$lt"]: new mongoose.Types.ObjectId(page.cursor) } } : {};
  const docs = await model
    .find({ ...filter, ...after }, projection)
    .sort({ _id: order })
    .limit(page.limit + 1)
    .lean<T[]>();
  const items = docs.slice(0, page.limit);
  return { items, next_cursor: docs.length > page.limit ? String(items[items.length - 1]._id) : null };
}
