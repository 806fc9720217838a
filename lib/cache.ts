import { LRUCache } from "lru-cache";

/**
 * Bounded in-process caches, one per purpose, kept on globalThis so that
 * Next.js hot reload and repeated imports share them. Keys are content ids
 * (run_id plus checksums), so an entry can only be cold, never wrong.
 */
const store = globalThis as unknown as { __boundedCaches?: Map<string, LRUCache<string, object>>; __sharedReads?: Map<string, SharedRead> };
const caches = (store.__boundedCaches ??= new Map());
const sharedReads = (store.__sharedReads ??= new Map());

export function boundedCache<V extends object>(name: string, max: number): LRUCache<string, V> {
  let cache = caches.get(name);
  if (!cache) {
    cache = new LRUCache<string, object>({ max });
    caches.set(name, cache);
  }
  return cache as LRUCache<string, V>;
}

/**
 * Empties every cache, or only the named ones: tests that change files behind
 * the app's back start from a cold process this way, and benchmarks make one
 * kind of work be done again.
 */
export function clearCaches(names?: readonly string[]): void {
  for (const [name, cache] of caches) if (!names || names.includes(name)) cache.clear();
}

interface SharedRead {
  inFlight: Promise<unknown> | null;
  queued: Promise<unknown> | null;
}

/**
 * Runs `read` for the caller, sharing it with every other caller that arrives
 * before it is sent: each caller gets an answer from a read that started after
 * it asked, so the answer is as fresh as an own read would be, but a burst of N
 * concurrent callers costs two reads instead of N. A caller that arrives while
 * a read is already on the wire waits for the next one (that read may have been
 * answered before the caller asked). That next read is sent once the event loop
 * has taken in what else arrived with the answer, so that under steady load the
 * callers those events bring share it too. One name per kind of read.
 */
export function sharedRead<T>(name: string, read: () => Promise<T>): Promise<T> {
  let s = sharedReads.get(name);
  if (!s) {
    s = { inFlight: null, queued: null };
    sharedReads.set(name, s);
  }
  const state = s;
  const start = (): Promise<T> => {
    const p: Promise<T> = read().finally(() => {
      if (state.inFlight === p) state.inFlight = null;
    });
    state.inFlight = p;
    return p;
  };
  // A queued read has not been sent yet: whoever joins it asked before it starts.
  if (state.queued) return state.queued as Promise<T>;
  if (!state.inFlight) return start();
  state.queued = state.inFlight
    .then(
      () => undefined,
      () => undefined,
    )
    .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
    .then(() => {
      state.queued = null;
      return start();
    });
  return state.queued as Promise<T>;
}
