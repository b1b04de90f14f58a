import {
  createEvent,
  type DomainEvent,
  domainEventNameOfType,
  domainEvents,
  type MessageDefinition,
  subjects,
} from "@cml-telemetry/contracts";

/** One outbox entry: a domain event as CloudEvents structured JSON, its id being its `Nats-Msg-Id`. */
export type OutboxEntry = Record<string, unknown>;

/** `Nats-Msg-Id` (and CloudEvent id) of the n-th event of a decision: `<workerId>:<version>:<n>`. */
export function domainEventMsgId(workerId: string, version: number, index: number): string {
  return `${workerId}:${version}:${index}`;
}

/**
 * The CloudEvent (as JSON-ready data) of a domain event, validated against its contract schema, carrying the
 * input's correlation id.
 */
export function toOutboxEntry(
  event: DomainEvent,
  index: number,
  options: { time: Date; correlationId?: string | undefined },
): OutboxEntry {
  const definition = domainEvents[event.name] as MessageDefinition;
  const cloudEvent = createEvent(definition, {
    source: "worker-aggregate",
    subject: event.data.workerId,
    id: domainEventMsgId(event.data.workerId, event.data.version, index),
    time: options.time,
    correlationId: options.correlationId,
    data: event.data,
  });
  return cloudEvent.toJSON() as OutboxEntry;
}

/** The subject an outbox entry is published on: `cml.worker.<workerId>.<name>`. */
export function subjectOfOutboxEntry(entry: OutboxEntry): string {
  const name = typeof entry.type === "string" ? domainEventNameOfType(entry.type) : undefined;
  if (name === undefined || typeof entry.subject !== "string") {
    throw new TypeError(`outbox entry ${String(entry.id)} is not a domain event`);
  }
  return subjects.workerEvent(entry.subject, name);
}
