import type { WorkerRecord } from "@cml-telemetry/contracts";
import { CasConflictError, type WorkerStore } from "./worker-store.ts";

interface CacheEntry {
  /** The record as JSON text: one flat string per worker is far lighter for the garbage collector than its objects. */
  readonly json: string;
  readonly revision: number;
  readonly outboxPublished: boolean;
}

/**
 * Remembers the records this instance wrote or read, so the next decision for a worker skips the KV read, and
 * which of their outboxes are known to be published, so they are not checked against the stream again. Records are
 * kept as the JSON text written to (or read from) KV and parsed on use, so each load hands out its own copy. A
 * stale entry (another replica wrote since) is harmless: the compare-and-set write fails, the entry is dropped, and
 * the caller re-reads. At most `maxEntries` records are kept (the one stored longest ago goes first).
 */
export function createCachedWorkerStore(
  store: WorkerStore,
  options: { maxEntries?: number } = {},
): WorkerStore {
  const maxEntries = options.maxEntries ?? 20_000;
  const cache = new Map<string, CacheEntry>();
  const remember = (workerId: string, entry: CacheEntry): void => {
    cache.delete(workerId);
    cache.set(workerId, entry);
    if (cache.size > maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
  };
  const recordOf = (entry: CacheEntry): WorkerRecord => {
    const record = JSON.parse(entry.json) as WorkerRecord;
    // A published outbox is never needed again; the next write replaces it.
    return entry.outboxPublished ? { ...record, outbox: [] } : record;
  };
  return {
    async load(workerId, loadOptions) {
      const known = cache.get(workerId);
      if (known && !loadOptions?.fresh) {
        return {
          record: recordOf(known),
          revision: known.revision,
          cached: true,
          outboxPublished: known.outboxPublished,
        };
      }
      const loaded = await store.load(workerId, loadOptions);
      if (!loaded) {
        cache.delete(workerId);
        return undefined;
      }
      // A fresh read of the revision this instance already knows keeps what it knows about that outbox.
      const outboxPublished = known?.outboxPublished === true && known.revision === loaded.revision;
      remember(workerId, {
        json: loaded.json ?? JSON.stringify(loaded.record),
        revision: loaded.revision,
        outboxPublished,
      });
      return outboxPublished ? { ...loaded, outboxPublished } : loaded;
    },
    async save(workerId, record, revision, json = JSON.stringify(record)) {
      try {
        const written = await store.save(workerId, record, revision, json);
        remember(workerId, { json, revision: written, outboxPublished: false });
        return written;
      } catch (error) {
        if (error instanceof CasConflictError) cache.delete(workerId);
        throw error;
      }
    },
    markOutboxPublished(workerId, revision) {
      const known = cache.get(workerId);
      if (known && known.revision === revision && !known.outboxPublished) {
        cache.set(workerId, { ...known, outboxPublished: true });
      }
    },
    workerIds: () => store.workerIds(),
  };
}
