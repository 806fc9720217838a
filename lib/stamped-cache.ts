import type { LRUCache } from "lru-cache";
import { sharedRead } from "@/lib/cache";
import { connectDb } from "@/lib/db";
import { readStamp, SERVING_STAMP_ID } from "@/models/ServingStamp";

/**
 * Values read from collections a stamp watches (the serving stamp: model
 * configs and ensembles; the datasets' stamp: datasets), remembered together
 * with the stamp's token: one read of the stamp's small document tells whether
 * any of them may have moved since.
 */
export interface Remembered {
  stamp: string;
  at: number;
  value: unknown;
}

/**
 * The stamp `id`'s token, from a read that starts after this call (shared with
 * concurrent callers). A caller may start it early and pass it on later, so
 * that its round trip overlaps other work such as reading a request's body.
 */
export function stampNow(id: string): Promise<string> {
  const stamp = connectDb().then(() => sharedRead(`stamp:${id}`, () => readStamp(id)));
  // A caller that refuses the request before awaiting it leaves no unhandled rejection behind.
  stamp.catch(() => undefined);
  return stamp;
}

/** The serving stamp now (see stampNow). */
export const servingStamp = (): Promise<string> => stampNow(SERVING_STAMP_ID);

/**
 * `read()`'s value, or the one remembered under `key` while the stamp has not
 * moved and it is younger than `maxAgeMs` (the bound for writes the stamp cannot
 * see: a tool writing to the collections directly, a process that died between
 * its write and the stamp). `stamp` must come from a stampNow() of the stamp
 * watching what `read` reads, started after the caller's request arrived. The
 * value must be built only from watched collections, and callers must not
 * change it.
 */
export async function rememberedUnderStamp<T>(cache: LRUCache<string, Remembered>, maxAgeMs: number, key: string, read: () => Promise<T>, stamp: Promise<string>): Promise<T> {
  const current = await stamp;
  const hit = cache.get(key);
  if (hit && hit.stamp === current && Date.now() - hit.at < maxAgeMs) return hit.value as T;
  // Read after the stamp: a write landing in between leaves a newer value under an older stamp, read again next time.
  const at = Date.now();
  const value = await read();
  cache.set(key, { stamp: current, at, value });
  return value;
}
