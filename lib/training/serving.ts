import { boundedCache } from "@/lib/cache";
import { rememberedUnderStamp, servingStamp, type Remembered } from "@/lib/stamped-cache";

/**
 * A remembered head older than this is read again even though the stamp has not
 * moved: the bound for writes the stamp cannot see (a tool writing to the
 * collections directly, a process that died between its write and the stamp).
 */
export const HEAD_MAX_AGE_MS = 2_000;

/**
 * A remembered listing is read again after this long even though the stamp has
 * not moved. Longer than a head's: a listing decides no prediction, and people
 * open pages seconds apart, so with 2 s nearly every render would read again.
 */
export const LISTING_MAX_AGE_MS = 30_000;

const heads = boundedCache<Remembered>("serving-heads", 2_000);
const listings = boundedCache<Remembered>("listings", 200);

/**
 * What predictions need of a model config or an ensemble (its current run and
 * checksums, its stale flag), as fresh as a read of it made now: it is read
 * again whenever the serving stamp moved since it was remembered, which every
 * write to either collection does before it returns. So the one database read
 * on a warm request is the stamp's small document, shared by concurrent requests.
 * `stamp` must have been started after the request arrived (servingStamp()).
 */
export function servingHead<T extends object>(key: string, read: () => Promise<T | null>, stamp: Promise<string> = servingStamp()): Promise<T | null> {
  return rememberedUnderStamp(heads, HEAD_MAX_AGE_MS, key, read, stamp);
}

/**
 * A page or a count of model configs or ensembles, remembered as servingHead
 * remembers heads. On the embedded FerretDB a page costs a read of every
 * document of the collection whatever the indexes (it sorts and filters in
 * memory: 400-680 ms for 500 models), so the dashboard and the API ask the
 * database again only when a write moved the stamp, or after LISTING_MAX_AGE_MS
 * (writes the stamp cannot see: another tool's, or a process that died between
 * its write and the stamp). The value must be built
 * only from those two collections, and callers must not change it.
 */
export function stampedListing<T>(key: string, read: () => Promise<T>): Promise<T> {
  return rememberedUnderStamp(listings, LISTING_MAX_AGE_MS, key, read, servingStamp());
}
