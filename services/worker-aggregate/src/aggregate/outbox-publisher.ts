import { TransientError } from "@cml-telemetry/contracts";
import type { JetStreamClient } from "@nats-io/jetstream";
import { type OutboxEntry, subjectOfOutboxEntry } from "./domain-event-message.ts";

/** Publishes outbox entries; JetStream drops entries already published (same `Nats-Msg-Id`). */
export interface OutboxPublisher {
  /** Publishes all entries in order and waits for every ack; returns how many were new (not duplicates). */
  publish(entries: readonly OutboxEntry[]): Promise<number>;
}

const encoder = new TextEncoder();

/**
 * Outbox publisher on a JetStream client. Entries are sent back to back on one connection, so the stream keeps
 * their order; each carries its id as `Nats-Msg-Id`.
 * @throws TransientError when a publish is not acknowledged.
 */
export function createOutboxPublisher(
  js: JetStreamClient,
  options: { timeoutMs?: number } = {},
): OutboxPublisher {
  return {
    async publish(entries) {
      if (entries.length === 0) return 0;
      const acks = entries.map((entry) =>
        js.publish(subjectOfOutboxEntry(entry), encoder.encode(JSON.stringify(entry)), {
          msgID: String(entry.id),
          timeout: options.timeoutMs ?? 5_000,
        }),
      );
      try {
        const results = await Promise.all(acks);
        return results.filter((ack) => !ack.duplicate).length;
      } catch (error) {
        throw new TransientError(`publishing domain events failed: ${(error as Error).message}`, {
          cause: error,
          code: "PUBLISH_FAILED",
        });
      }
    },
  };
}
