import { boundedCache, sharedRead } from "@/lib/cache";
import { connectDb } from "@/lib/db";
import { readServingStamp } from "@/models/ServingStamp";

/**
 * A remembered head older than this is read again even though the stamp has not
 * moved: the bound for writes the stamp cannot see (a tool writing to the
 * collections directly, a process that died between its write and the stamp).
 */
export const HEAD_MAX_AGE_MS = 2_000;

interface Remembered {
  stamp: number;
  at: number;
  head: object | null;
}

const heads = boundedCache<Remembered>("serving-heads", 2_000);

/** The serving stamp, from a read that started after this call (shared with concurrent callers). */
async function currentStamp(): Promise<number> {
  await connectDb();
  return sharedRead("serving-stamp", readServingStamp);
}

/**
 * What predictions need of a model config or an ensemble (its current run and
 * checksums, its stale flag), as fresh as a read of it made now: it is read
 * again whenever the serving stamp moved since it was remembered, which every
 * write to either collection does before it returns. So the one database read
 * on a warm request is the stamp's small document, shared by concurrent requests.
 */
export async function servingHead<T extends object>(key: string, read: () => Promise<T | null>): Promise<T | null> {
  const stamp = await currentStamp();
  const hit = heads.get(key);
  if (hit && hit.stamp === stamp && Date.now() - hit.at < HEAD_MAX_AGE_MS) return hit.head as T | null;
  // Read after the stamp: a write landing in between leaves a newer head under an older stamp, read again next time.
  const at = Date.now();
  const head = await read();
  heads.set(key, { stamp, at, head });
  return head;
}
