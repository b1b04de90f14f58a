import type { Topology } from "@cml-telemetry/contracts";
import { jetstreamManager } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { silentLogger } from "../logger.ts";
import { provisionTopology } from "../provision.ts";
import { openWorkersKv } from "../workers-kv.ts";

/**
 * Deletes the topology's streams and KV buckets (with their consumers), so the next test sharing the nats-server can
 * provision its own (stream subjects cannot overlap, so name prefixes alone do not isolate tests).
 */
export async function removeTopology(nc: NatsConnection, topology: Topology): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const names = [
    ...Object.values(topology.streams).map((stream) => stream.name),
    ...Object.values(topology.kv).map((bucket) => `KV_${bucket.bucket}`),
  ];
  for (const name of names) {
    await jsm.streams.delete(name).catch(() => false);
  }
}

/** {@link removeTopology}, then provisions it again: tests start from empty streams. Returns the workers KV. */
export async function resetTopology(nc: NatsConnection, topology: Topology): Promise<KV> {
  await removeTopology(nc, topology);
  await provisionTopology(nc, topology, { logger: silentLogger });
  return await openWorkersKv(nc, topology);
}
