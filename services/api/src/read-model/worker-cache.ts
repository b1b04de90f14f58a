import type { WorkerState } from "@cml-telemetry/contracts";
import type { WorkerReadModel } from "../ports.ts";

/** A worker read model that is written directly: the store behind the KV watch, and the fake of tests. */
export interface WorkerCache extends WorkerReadModel {
  /** Inserts or replaces a worker. */
  upsert(state: WorkerState): void;
  /** Forgets a worker (KV delete/purge). */
  remove(id: string): void;
  /** Marks the initial load as complete. */
  markSynced(): void;
}

interface Waiter {
  predicate: (state: WorkerState) => boolean;
  resolve: (state: WorkerState | undefined) => void;
  timer: NodeJS.Timeout;
}

/** Index of the first id in `ids` (sorted) greater than `id`. */
function upperBound(ids: readonly string[], id: string): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((ids[mid] as string) <= id) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * An in-memory worker read model: a map plus ids kept sorted for stable cursor paging.
 * @example const cache = createWorkerCache(); cache.upsert(state); cache.markSynced();
 */
export function createWorkerCache(): WorkerCache {
  const workers = new Map<string, WorkerState>();
  const sortedIds: string[] = [];
  const waiters = new Map<string, Set<Waiter>>();
  let synced = false;

  function settle(state: WorkerState): void {
    const pending = waiters.get(state.id);
    if (!pending) return;
    for (const waiter of pending) {
      if (waiter.predicate(state)) {
        clearTimeout(waiter.timer);
        pending.delete(waiter);
        waiter.resolve(state);
      }
    }
    if (pending.size === 0) waiters.delete(state.id);
  }

  return {
    isSynced: () => synced,
    markSynced: () => {
      synced = true;
    },
    get: (id) => workers.get(id),
    size: () => workers.size,
    all: () => workers.values(),
    *iterateFrom(afterId) {
      const start = afterId === undefined ? 0 : upperBound(sortedIds, afterId);
      for (let index = start; index < sortedIds.length; index++) {
        const state = workers.get(sortedIds[index] as string);
        if (state) yield state;
      }
    },
    upsert(state) {
      if (!workers.has(state.id)) sortedIds.splice(upperBound(sortedIds, state.id), 0, state.id);
      workers.set(state.id, state);
      settle(state);
    },
    remove(id) {
      if (!workers.delete(id)) return;
      const index = upperBound(sortedIds, id) - 1;
      if (sortedIds[index] === id) sortedIds.splice(index, 1);
    },
    waitFor(id, predicate, timeoutMs) {
      const current = workers.get(id);
      if (current && predicate(current)) return Promise.resolve(current);
      return new Promise((resolve) => {
        const set = waiters.get(id) ?? new Set<Waiter>();
        waiters.set(id, set);
        const waiter: Waiter = {
          predicate,
          resolve,
          timer: setTimeout(() => {
            set.delete(waiter);
            if (set.size === 0) waiters.delete(id);
            resolve(undefined);
          }, timeoutMs),
        };
        set.add(waiter);
      });
    },
  };
}
