import { TransientError } from "@cml-telemetry/contracts";
import type { AckedPublisher } from "@cml-telemetry/messaging";
import type { JetStreamManager } from "@nats-io/jetstream";
import { type OutboxEntry, subjectOfOutboxEntry } from "./domain-event-message.ts";

/** Publishes outbox entries to the worker-events stream, and tells which of them it already holds. */
export interface OutboxPublisher {
  /**
   * Publishes all entries in order and waits for every ack; returns how many were new (not duplicates).
   * `payloads`: the entries' JSON texts, when the caller already has them (same order).
   */
  publish(entries: readonly OutboxEntry[], payloads?: readonly string[]): Promise<number>;
  /**
   * The entries the stream does not hold yet, in outbox order. Decided from the last message of each entry's
   * subject, so it stays exact long after the stream's duplicate window: each worker's events are published in
   * `(version, n)` order, so an entry is in the stream iff the last message on its subject is at or after it.
   */
  unpublished(entries: readonly OutboxEntry[]): Promise<OutboxEntry[]>;
}

/** `(version, n)` of a domain event id `<workerId>:<version>:<n>`, or undefined when it is not one. */
export function positionOfEventId(id: string): readonly [number, number] | undefined {
  const match = /:(\d+):(\d+)$/.exec(id);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function isAtOrAfter(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);
}

/**
 * Outbox publisher on an acknowledged JetStream publisher. Entries are sent back to back on one connection, so the
 * stream keeps their order; each carries its id as `Nats-Msg-Id`.
 * @throws TransientError when a publish is not acknowledged or the stream cannot be read.
 */
export function createOutboxPublisher(
  publisher: AckedPublisher,
  jsm: JetStreamManager,
  options: { stream: string },
): OutboxPublisher {
  return {
    async publish(entries, payloads) {
      if (entries.length === 0) return 0;
      const acks = entries.map((entry, index) =>
        publisher.publish(
          subjectOfOutboxEntry(entry),
          Buffer.from(payloads?.[index] ?? JSON.stringify(entry)),
          { msgId: String(entry.id) },
        ),
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
    async unpublished(entries) {
      if (entries.length === 0) return [];
      const lastBySubject = new Map<string, Promise<readonly [number, number] | undefined>>();
      const lastOf = (subject: string) => {
        let last = lastBySubject.get(subject);
        if (!last) {
          last = jsm.streams.getMessage(options.stream, { last_by_subj: subject }).then((message) => {
            const id = message?.header?.get("Nats-Msg-Id");
            return id ? positionOfEventId(id) : undefined;
          });
          lastBySubject.set(subject, last);
        }
        return last;
      };
      try {
        const published = await Promise.all(
          entries.map(async (entry) => {
            const position = positionOfEventId(String(entry.id));
            const last = await lastOf(subjectOfOutboxEntry(entry));
            return position !== undefined && last !== undefined && isAtOrAfter(last, position);
          }),
        );
        return entries.filter((_, index) => !published[index]);
      } catch (error) {
        throw new TransientError(`reading the worker events stream failed: ${(error as Error).message}`, {
          cause: error,
          code: "STREAM_UNAVAILABLE",
        });
      }
    },
  };
}
