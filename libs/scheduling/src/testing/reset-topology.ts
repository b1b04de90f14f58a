import type { Topology } from "@cml-telemetry/contracts";
import { openWorkersKv, provisionTopology, silentLogger } from "@cml-telemetry/messaging";
import { jetstreamManager } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";

/**
 * Deletes the topology's streams and KV bucket (with their consumers) and provisions them again, so tests sharing
 * one nats-server start from empty streams (stream subjects cannot overlap, so prefixes alone do not isolate).
 */
export async function resetTopology(nc: NatsConnection, topology: Topology): Promise<KV> {
  const jsm = await jetstreamManager(nc);
  const names = [...Object.values(topology.streams).map((s) => s.name), `KV_${topology.kv.workers.bucket}`];
  for (const name of names) {
    await jsm.streams.delete(name).catch(() => false);
  }
  await provisionTopology(nc, topology, { logger: silentLogger });
  return await openWorkersKv(nc, topology);
}
