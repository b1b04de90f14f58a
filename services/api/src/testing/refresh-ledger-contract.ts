import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { RefreshEntry, RefreshLedger, RefreshRecord } from "../ports.ts";

function aRecord(overrides: Partial<RefreshRecord> = {}): RefreshRecord {
  return {
    requestId: randomUUID(),
    sources: ["ec2", "cloudwatch"],
    startedAt: 1_764_072_000_000,
    inFlightUntil: 1_764_072_030_000,
    finishedAt: null,
    version: null,
    ...overrides,
  };
}

/** Records what a watch reports; `until` resolves once a reported entry matches (or rejects after 5 s). */
function recorder() {
  const seen: Array<RefreshEntry | undefined> = [];
  const waiting = new Set<{ predicate: (entry: RefreshEntry | undefined) => boolean; resolve: () => void }>();
  return {
    seen,
    listener(entry: RefreshEntry | undefined) {
      seen.push(entry);
      for (const waiter of [...waiting]) {
        if (waiter.predicate(entry)) {
          waiting.delete(waiter);
          waiter.resolve();
        }
      }
    },
    until(predicate: (entry: RefreshEntry | undefined) => boolean): Promise<void> {
      if (seen.some(predicate)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("the watch reported no such entry in 5 s")), 5_000);
        waiting.add({
          predicate,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

/** The behaviour every {@link RefreshLedger} must have; run against the in-memory fake and KV `cml_api_refreshes`. */
export function describeRefreshLedgerContract(name: string, ledger: () => Promise<RefreshLedger>): void {
  describe(`RefreshLedger contract: ${name}`, () => {
    it("creates an entry only once, then updates it only from the revision it has", async () => {
      const store = await ledger();
      const workerId = randomUUID();
      expect(await store.read(workerId)).toBeUndefined();
      const first = aRecord();
      const revision = await store.write(workerId, first, 0);
      expect(revision).toBeGreaterThan(0);
      expect(await store.write(workerId, aRecord(), 0)).toBeUndefined();
      expect(await store.read(workerId)).toEqual({ record: first, revision });
      const finished = { ...first, finishedAt: first.startedAt + 900, version: 7 };
      const next = await store.write(workerId, finished, revision as number);
      expect(next).toBeGreaterThan(revision as number);
      expect(await store.write(workerId, aRecord(), revision as number)).toBeUndefined();
      expect((await store.read(workerId))?.record).toEqual(finished);
    });

    it("removes an entry only at the revision it has, after which it can be created again", async () => {
      const store = await ledger();
      const workerId = randomUUID();
      const revision = (await store.write(workerId, aRecord(), 0)) as number;
      const replaced = (await store.write(workerId, aRecord(), revision)) as number;
      await store.remove(workerId, revision);
      expect((await store.read(workerId))?.revision).toBe(replaced);
      await store.remove(workerId, replaced);
      expect(await store.read(workerId)).toBeUndefined();
      expect(await store.write(workerId, aRecord(), 0)).toBeGreaterThan(0);
    });

    it("watches one worker's entry: the current one, then every change", async () => {
      const store = await ledger();
      const workerId = randomUUID();
      const started = aRecord();
      const revision = (await store.write(workerId, started, 0)) as number;
      const changes = recorder();
      const stop = await store.watch(workerId, changes.listener);
      await changes.until((entry) => entry?.record.requestId === started.requestId);
      await store.write(randomUUID(), aRecord(), 0);
      await store.write(workerId, { ...started, finishedAt: started.startedAt + 500, version: 3 }, revision);
      await changes.until((entry) => entry?.record.version === 3);
      stop();
      expect(
        changes.seen.every((entry) => entry === undefined || entry.record.requestId === started.requestId),
      ).toBe(true);
    });
  });
}
