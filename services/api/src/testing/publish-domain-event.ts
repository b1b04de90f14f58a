import {
  createEvent,
  type DomainEventName,
  domainEvents,
  encodeEvent,
  type MessageDefinition,
  subjects,
} from "@cml-telemetry/contracts";
import type { JetStreamClient } from "@nats-io/jetstream";

/**
 * Publishes a domain event as worker-aggregate would (data validated against its contract schema) and returns its
 * stream sequence.
 */
export async function publishDomainEvent(
  js: JetStreamClient,
  name: DomainEventName,
  data: Record<string, unknown>,
  correlationId?: string,
): Promise<number> {
  const workerId = String(data.workerId);
  const event = createEvent(domainEvents[name] as MessageDefinition, {
    source: "worker-aggregate",
    subject: workerId,
    data,
    correlationId,
  });
  const ack = await js.publish(subjects.workerEvent(workerId, name), encodeEvent(event), { msgID: event.id });
  return ack.seq;
}
