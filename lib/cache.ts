import { LRUCache } from "lru-cache";

/**
 * Bounded in-process caches, one per purpose, kept on globalThis so that
 * Next.js hot reload and repeated imports share them. Keys are content ids
 * (run_id plus checksums), so an entry can only be cold, never wrong.
 */
const store = globalThis as unknown as { __boundedCaches?: Map<string, LRUCache<string, object>> };
const caches = (store.__boundedCaches ??= new Map());

export function boundedCache<V extends object>(name: string, max: number): LRUCache<string, V> {
  let cache = caches.get(name);
  if (!cache) {
    cache = new LRUCache<string, object>({ max });
    caches.set(name, cache);
  }
  return cache as LRUCache<string, V>;
}

/** Empties every cache: tests that change files behind the app's back start from a cold process this way. */
export function clearCaches(): void {
  for (const cache of caches.values()) cache.clear();
}
