import { SOURCES, type Topology } from "@cml-telemetry/contracts";
import { isCompareAndSetConflict } from "@cml-telemetry/messaging";
import { jetstream } from "@nats-io/jetstream";
import { type KvEntry, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { z } from "zod";
import type { RefreshEntry, RefreshLedger, RefreshRecord } from "../ports.ts";

const refreshRecordSchema = z.object({
  requestId: z.string().min(1),
  sources: z.array(z.enum(SOURCES)),
  startedAt: z.number(),
  inFlightUntil: z.number(),
  finishedAt: z.number().nullable(),
  version: z.number().int().nullable(),
});

/**
 * The refresh ledger in KV `cml_api_refreshes` (provisioned with the topology; entries expire after the bucket's
 * max age, longer than any in-flight window or minimum interval). Writes are compare-and-set on the key's revision,
 * which nats-server 2.9 supports; an entry that does not parse is treated as absent and logged.
 */
export async function openKvRefreshLedger(
  nc: NatsConnection,
  topology: Topology,
  logger: Logger,
): Promise<RefreshLedger> {
  const kv = await new Kvm(jetstream(nc)).open(topology.kv.refreshes.bucket);

  function entryOf(entry: KvEntry | null): RefreshEntry | undefined {
    if (entry === null || entry.operation !== "PUT") return undefined;
    try {
      const parsed = refreshRecordSchema.safeParse(entry.json());
      if (parsed.success) return { record: parsed.data, revision: entry.revision };
    } catch {
      // not JSON: logged below
    }
    logger.warn(
      { key: entry.key, revision: entry.revision },
      "ignoring a refresh ledger entry that does not parse",
    );
    return undefined;
  }

  const ledger: RefreshLedger = {
    async read(workerId) {
      return entryOf(await kv.get(workerId));
    },
    async write(workerId, record: RefreshRecord, expectedRevision) {
      const json = JSON.stringify(record);
      try {
        return expectedRevision === 0
          ? await kv.create(workerId, json)
          : await kv.update(workerId, json, expectedRevision);
      } catch (error) {
        if (isCompareAndSetConflict(error)) return undefined;
        throw error;
      }
    },
    async remove(workerId, expectedRevision) {
      try {
        await kv.delete(workerId, { previousSeq: expectedRevision });
      } catch (error) {
        if (!isCompareAndSetConflict(error)) throw error;
      }
    },
    async watch(workerId, listener) {
      const updates = await kv.watch({ key: workerId });
      void (async () => {
        for await (const entry of updates) listener(entryOf(entry));
      })();
      listener(await ledger.read(workerId));
      return () => updates.stop();
    },
  };
  return ledger;
}
