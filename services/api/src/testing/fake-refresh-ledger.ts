import type { RefreshEntry, RefreshLedger } from "../ports.ts";

/** In-memory refresh ledger: one map shared by every app created with it, as replicas share the KV bucket. */
export function createFakeRefreshLedger(): RefreshLedger {
  const entries = new Map<string, RefreshEntry>();
  const watchers = new Map<string, Set<(entry: RefreshEntry | undefined) => void>>();
  let sequence = 0;

  function changed(workerId: string): void {
    for (const listener of watchers.get(workerId) ?? []) listener(entries.get(workerId));
  }

  return {
    async read(workerId) {
      return entries.get(workerId);
    },
    async write(workerId, record, expectedRevision) {
      if ((entries.get(workerId)?.revision ?? 0) !== expectedRevision) return undefined;
      sequence += 1;
      entries.set(workerId, { record, revision: sequence });
      changed(workerId);
      return sequence;
    },
    async remove(workerId, expectedRevision) {
      if (entries.get(workerId)?.revision !== expectedRevision) return;
      entries.delete(workerId);
      changed(workerId);
    },
    async watch(workerId, listener) {
      const set = watchers.get(workerId) ?? new Set();
      watchers.set(workerId, set);
      set.add(listener);
      listener(entries.get(workerId));
      return () => {
        set.delete(listener);
      };
    },
  };
}
