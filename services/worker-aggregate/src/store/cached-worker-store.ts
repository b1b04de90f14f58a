import { CasConflictError, type StoredRecord, type WorkerStore } from "./worker-store.ts";

/**
 * Remembers the records this instance wrote, so the next decision for a worker skips the KV read. A stale entry
 * (another replica wrote since) is harmless: the compare-and-set write fails, the entry is dropped, and the caller
 * re-reads. At most `maxEntries` records are kept (oldest written first out).
 */
export function createCachedWorkerStore(
  store: WorkerStore,
  options: { maxEntries?: number } = {},
): WorkerStore {
  const maxEntries = options.maxEntries ?? 20_000;
  const cache = new Map<string, StoredRecord>();
  const remember = (workerId: string, entry: StoredRecord): void => {
    cache.delete(workerId);
    cache.set(workerId, entry);
    if (cache.size > maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
  };
  return {
    async load(workerId, loadOptions) {
      if (!loadOptions?.fresh) {
        const hit = cache.get(workerId);
        if (hit) return hit;
      }
      const loaded = await store.load(workerId, loadOptions);
      if (loaded) remember(workerId, loaded);
      else cache.delete(workerId);
      return loaded;
    },
    async save(workerId, record, revision) {
      try {
        const written = await store.save(workerId, record, revision);
        remember(workerId, { record, revision: written, cached: true });
        return written;
      } catch (error) {
        if (error instanceof CasConflictError) cache.delete(workerId);
        throw error;
      }
    },
    workerIds: () => store.workerIds(),
  };
}
