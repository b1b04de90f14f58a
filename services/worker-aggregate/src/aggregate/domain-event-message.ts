import {
  type DomainEvent,
  domainEventNameOfType,
  domainEvents,
  eventSource,
  subjects,
} from "@cml-telemetry/contracts";

/** One outbox entry: a domain event as CloudEvents structured JSON, its id being its `Nats-Msg-Id`. */
export type OutboxEntry = Record<string, unknown>;

/** `Nats-Msg-Id` (and CloudEvent id) of the n-th event of a decision: `<workerId>:<version>:<n>`. */
export function domainEventMsgId(workerId: string, version: number, index: number): string {
  return `${workerId}:${version}:${index}`;
}

const SOURCE = eventSource("worker-aggregate");

/**
 * The CloudEvent of a domain event in structured JSON mode, carrying the input's correlation id. Built directly
 * (not through `createEvent`): the Decider's events are typed by the contract and checked against its schemas
 * in tests, and this is the hot path.
 */
export function toOutboxEntry(
  event: DomainEvent,
  index: number,
  options: { time: Date; correlationId?: string | undefined },
): OutboxEntry {
  const entry: OutboxEntry = {
    specversion: "1.0",
    id: domainEventMsgId(event.data.workerId, event.data.version, index),
    source: SOURCE,
    type: domainEvents[event.name].type,
    subject: event.data.workerId,
    time: options.time.toISOString(),
    datacontenttype: "application/json",
  };
  if (options.correlationId !== undefined) entry.correlationid = options.correlationId;
  entry.data = event.data;
  return entry;
}

/** The subject an outbox entry is published on: `cml.worker.<workerId>.<name>`. */
export function subjectOfOutboxEntry(entry: OutboxEntry): string {
  const name = typeof entry.type === "string" ? domainEventNameOfType(entry.type) : undefined;
  if (name === undefined || typeof entry.subject !== "string") {
    throw new TypeError(`outbox entry ${String(entry.id)} is not a domain event`);
  }
  return subjects.workerEvent(entry.subject, name);
}
