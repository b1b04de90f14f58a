import type { WorkerRecord } from "@cml-telemetry/contracts";
import { recordJson } from "./record-json.ts";
import { CasConflictError, type WorkerStore } from "./worker-store.ts";

interface CacheEntry {
  /** The record as written or read (never changed: loads share it, frozen). */
  readonly record: WorkerRecord;
  readonly revision: number;
  readonly outboxPublished: boolean;
  /** When the record was written (server clock), when known (it was read from KV). */
  readonly writtenAtMs?: number;
}

/** Freezes what a caller could change in place by mistake: the record, its state and its lists. */
function frozen(record: WorkerRecord): WorkerRecord {
  Object.freeze(record.state);
  Object.freeze(record.outbox);
  Object.freeze(record.recentInputIds);
  return Object.freeze(record);
}

/**
 * Remembers the records this instance wrote or read, so the next decision for a worker skips the KV read, and
 * which of their outboxes are known to be published, so they are not checked against the stream again (nor kept).
 * Records are kept as the objects written (or read), frozen, and every load hands out the same one: a decision builds
 * a new record and never changes the one it started from, so no load parses or copies. A stale entry (another replica wrote since) is harmless: the compare-and-set write fails, the entry is dropped, and
 * the caller re-reads. At most `maxEntries` records are kept (the one stored longest ago goes first).
 *
 * Once the worker ids were listed (the start-up scan does), a worker neither listed nor seen since is taken to have
 * no record without asking KV (a new worker's first load). That guess is safe for writes, which create with
 * compare-and-set and fail if another replica created it meanwhile; the caller re-reads before concluding that
 * there is nothing to do.
 */
export function createCachedWorkerStore(
  store: WorkerStore,
  options: { maxEntries?: number } = {},
): WorkerStore {
  const maxEntries = options.maxEntries ?? 20_000;
  const cache = new Map<string, CacheEntry>();
  /** Worker ids known to have (had) a record: the last listing, plus every record read or written since. */
  let known: Set<string> | undefined;
  const remember = (workerId: string, entry: CacheEntry): void => {
    cache.delete(workerId);
    cache.set(workerId, entry);
    if (cache.size > maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
  };
  const recordOf = (entry: CacheEntry): WorkerRecord => entry.record;
  return {
    async load(workerId, loadOptions) {
      const entry = cache.get(workerId);
      if (entry && !loadOptions?.fresh) {
        return {
          record: recordOf(entry),
          revision: entry.revision,
          cached: true,
          outboxPublished: entry.outboxPublished,
          ...(entry.writtenAtMs === undefined ? {} : { writtenAtMs: entry.writtenAtMs }),
        };
      }
      if (!loadOptions?.fresh && known !== undefined && !known.has(workerId)) return undefined;
      const loaded = await store.load(workerId, loadOptions);
      if (!loaded) {
        cache.delete(workerId);
        return undefined;
      }
      known?.add(workerId);
      // A fresh read of the revision this instance already knows keeps what it knows about that outbox.
      const outboxPublished = entry?.outboxPublished === true && entry.revision === loaded.revision;
      remember(workerId, {
        record: frozen(loaded.record),
        revision: loaded.revision,
        outboxPublished,
        ...(loaded.writtenAtMs === undefined ? {} : { writtenAtMs: loaded.writtenAtMs }),
      });
      return outboxPublished ? { ...loaded, outboxPublished } : loaded;
    },
    async save(workerId, record, revision, serialised = recordJson(record)) {
      try {
        const written = await store.save(workerId, record, revision, serialised);
        known?.add(workerId);
        remember(workerId, { record: frozen(record), revision: written, outboxPublished: false });
        return written;
      } catch (error) {
        if (error instanceof CasConflictError) cache.delete(workerId);
        throw error;
      }
    },
    markOutboxPublished(workerId, revision) {
      const entry = cache.get(workerId);
      if (entry && entry.revision === revision && !entry.outboxPublished) {
        cache.set(workerId, {
          ...entry,
          record: frozen({ ...entry.record, outbox: [] }),
          outboxPublished: true,
        });
      }
    },
    async workerIds() {
      const ids = await store.workerIds();
      known = new Set(ids);
      for (const workerId of cache.keys()) known.add(workerId);
      return ids;
    },
  };
}
