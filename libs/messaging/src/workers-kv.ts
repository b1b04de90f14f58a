import type { Topology } from "@cml-telemetry/contracts";
import { jetstream } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";

/** Opens the `cml_workers` KV bucket (provisioned by `provisionTopology`). */
export async function openWorkersKv(nc: NatsConnection, topology: Topology): Promise<KV> {
  return await new Kvm(jetstream(nc)).open(topology.kv.workers.bucket);
}
