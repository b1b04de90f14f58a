import { commands, createEvent, type ServiceName, type Source, subjects } from "@cml-telemetry/contracts";
import { createWindowedPublisher } from "@cml-telemetry/messaging";
import type { JetStreamClient } from "@nats-io/jetstream";
import { scheduledCommandId } from "./slots.ts";

/** A worker a collect command is for. */
export interface CollectCommandTarget {
  readonly workerId: string;
  readonly region: string;
  readonly instanceId: string;
  readonly httpsEndpoint?: string | undefined;
}

/**
 * Publishes one collect command per target. Scheduled commands get msg-id `<source>:<workerId>:<slot>` (deduped
 * across replicas); refresh commands get a fresh id and carry the correlation id. Targets are published in
 * region order so consumers fetch batches that pack into few AWS calls. Returns how many were new (not deduped).
 */
export async function publishCollectCommands(options: {
  js: JetStreamClient;
  service: ServiceName;
  source: Source;
  targets: readonly CollectCommandTarget[];
  reason: "schedule" | "refresh";
  slot?: number;
  correlationId?: string;
}): Promise<{ published: number; duplicates: number }> {
  const publisher = createWindowedPublisher(options.js, { window: 512 });
  const ordered = [...options.targets].sort((a, b) =>
    a.region === b.region ? (a.workerId < b.workerId ? -1 : 1) : a.region < b.region ? -1 : 1,
  );
  for (const target of ordered) {
    const id =
      options.reason === "schedule" && options.slot !== undefined
        ? scheduledCommandId(options.source, target.workerId, options.slot)
        : undefined;
    const event = createEvent(commands.collect, {
      source: options.service,
      subject: target.workerId,
      ...(id ? { id } : {}),
      correlationId: options.correlationId,
      data: {
        workerId: target.workerId,
        region: target.region,
        instanceId: target.instanceId,
        ...(target.httpsEndpoint ? { httpsEndpoint: target.httpsEndpoint } : {}),
        reason: options.reason,
        ...(options.slot !== undefined ? { slot: options.slot } : {}),
      },
    });
    await publisher.publish(subjects.collect(options.source, target.workerId), event);
  }
  return await publisher.flush();
}

/** Publishes the discover command of one region for a slot (msg-id `ec2-discovery:<region>:<slot>`). */
export async function publishDiscoverCommand(options: {
  js: JetStreamClient;
  region: string;
  slot: number;
  reason?: "schedule" | "refresh";
  correlationId?: string;
}): Promise<boolean> {
  const reason = options.reason ?? "schedule";
  const event = createEvent(commands.discover, {
    source: "collector-ec2",
    ...(reason === "schedule"
      ? { id: scheduledCommandId("ec2-discovery", options.region, options.slot) }
      : {}),
    correlationId: options.correlationId,
    data: { region: options.region, reason, slot: options.slot },
  });
  const publisher = createWindowedPublisher(options.js, { window: 1 });
  await publisher.publish(subjects.discover(options.region), event);
  const result = await publisher.flush();
  return result.duplicates === 0;
}
