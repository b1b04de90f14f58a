import type { StreamDefinition, Topology } from "@cml-telemetry/contracts";
import {
  DiscardPolicy,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "./logger.ts";

const NANOS_PER_SECOND = 1_000_000_000;

/** The JetStream config of a contract stream. */
export function streamConfigOf(definition: StreamDefinition): Partial<StreamConfig> & { name: string } {
  return {
    name: definition.name,
    subjects: [...definition.subjects],
    retention: definition.retention === "workqueue" ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: definition.maxAgeSeconds * NANOS_PER_SECOND,
    duplicate_window: definition.duplicateWindowSeconds * NANOS_PER_SECOND,
    description: definition.description,
    num_replicas: 1,
  };
}

/**
 * Creates the streams and KV buckets of the topology, or updates them to the contract. Idempotent and safe
 * to run from every replica at start; it never deletes a stream or its data.
 */
export async function provisionTopology(
  nc: NatsConnection,
  topology: Topology,
  options: { logger: Logger; streams?: ReadonlyArray<keyof Topology["streams"]> },
): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const wanted = options.streams ?? (Object.keys(topology.streams) as Array<keyof Topology["streams"]>);
  for (const key of wanted) {
    await ensureStream(jsm, topology.streams[key], options.logger);
  }
  const kvm = new Kvm(nc);
  for (const bucket of Object.values(topology.kv)) {
    await kvm.create(bucket.bucket, {
      history: bucket.history,
      description: bucket.description,
      ...(bucket.maxAgeSeconds === undefined ? {} : { ttl: bucket.maxAgeSeconds * 1000 }),
    });
  }
}

async function ensureStream(
  jsm: JetStreamManager,
  definition: StreamDefinition,
  logger: Logger,
): Promise<void> {
  const wanted = streamConfigOf(definition);
  const existing = await jsm.streams.info(definition.name).catch((error: unknown) => {
    if (isNotFound(error)) return undefined;
    throw error;
  });
  if (!existing) {
    await jsm.streams.add(wanted);
    logger.info({ stream: definition.name }, "stream created");
    return;
  }
  const current = existing.config;
  const differs =
    current.max_age !== wanted.max_age ||
    current.duplicate_window !== wanted.duplicate_window ||
    JSON.stringify([...current.subjects].sort()) !== JSON.stringify([...(wanted.subjects ?? [])].sort()) ||
    current.description !== wanted.description;
  if (current.retention !== wanted.retention) {
    logger.error(
      { stream: definition.name, current: current.retention, wanted: wanted.retention },
      "stream retention differs from the contract and cannot be changed in place; leaving it as is",
    );
  }
  if (!differs) return;
  await jsm.streams.update(definition.name, {
    subjects: wanted.subjects,
    max_age: wanted.max_age,
    duplicate_window: wanted.duplicate_window,
    description: wanted.description,
  });
  logger.info({ stream: definition.name }, "stream updated to the contract");
}

function isNotFound(error: unknown): boolean {
  const text = String((error as Error)?.message ?? error);
  return /not found/i.test(text);
}
