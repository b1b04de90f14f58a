import type { Topology } from "@cml-telemetry/contracts";
import { createAckedPublisher, openWorkersKv, silentLogger } from "@cml-telemetry/messaging";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { noopAggregateMetrics } from "../aggregate/aggregate-metrics.ts";
import { createOutboxPublisher } from "../aggregate/outbox-publisher.ts";
import type { WorkerProcessorDeps } from "../aggregate/process-worker.ts";
import { createWorkerLocks } from "../aggregate/worker-locks.ts";
import { createWorkerStore, type WorkerStore } from "../store/worker-store.ts";

/**
 * What one aggregate instance processes with, on a topology's real workers bucket and worker-events stream (as
 * `startWorkerAggregate` composes it, without the record cache). `store` wraps the KV store, e.g. to make some of its
 * calls fail. `close()` closes the publisher.
 */
export async function realProcessorDeps(
  nc: NatsConnection,
  topology: Topology,
  store: (kvStore: WorkerStore) => WorkerStore = (kvStore) => kvStore,
): Promise<WorkerProcessorDeps & { close(): void }> {
  const acked = createAckedPublisher(nc);
  const kvStore = createWorkerStore(await openWorkersKv(nc, topology), {
    writes: { publisher: acked, bucket: topology.kv.workers.bucket },
  });
  return {
    store: store(kvStore),
    publisher: createOutboxPublisher(acked, await jetstreamManager(nc), {
      stream: topology.streams.workerEvents.name,
    }),
    metrics: noopAggregateMetrics,
    logger: silentLogger,
    clock: () => new Date(),
    locks: createWorkerLocks(),
    close: () => acked.close(),
  };
}
