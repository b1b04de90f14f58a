import { TransientError } from "@cml-telemetry/contracts";
import type { AckedPublisher } from "@cml-telemetry/messaging";
import type { JetStreamManager } from "@nats-io/jetstream";
import { type OutboxEntry, subjectOfOutboxEntry } from "./domain-event-message.ts";

/** Publishes outbox entries to the worker-events stream, and tells which of them it still has to publish. */
export interface OutboxPublisher {
  /**
   * Publishes all entries in order and waits for every ack; returns how many were new (not duplicates).
   * `payloads`: the entries' JSON texts, when the caller already has them (same order).
   */
  publish(entries: readonly OutboxEntry[], payloads?: readonly string[]): Promise<number>;
  /**
   * The entries of one outbox to publish (again), in outbox order: those the stream does not hold and could still
   * hold. Each worker's events are published in `(version, n)` order, so an entry is in the stream iff the last
   * message on its subject is at or after it, and entries after one the stream holds were never published. When it
   * holds none of them, they were either never published or were dropped with what the stream no longer keeps
   * ({@link isBeyondStream}); those are never published again, as that would bring old events back as new ones.
   * `writtenAtMs`: server time of the KV write that stored the outbox, when known.
   */
  unpublished(entries: readonly OutboxEntry[], writtenAtMs?: number): Promise<OutboxEntry[]>;
}

/** What the outbox check needs to know of the worker-events stream. */
export interface StreamSpan {
  /** Max age in milliseconds (0 = unlimited). */
  readonly maxAgeMs: number;
  /** Messages it holds. */
  readonly messages: number;
  /** Sequence and time (epoch ms) of the first message it holds. */
  readonly firstSeq: number;
  readonly firstMs: number;
  /** Sequence and time of the last message it ever stored (kept after a purge; 0 = never had one). */
  readonly lastSeq: number;
  readonly lastMs: number;
}

/** An outbox this close to the stream's max age (a tenth of it, at most an hour) counts as beyond it: clocks differ. */
const MAX_AGE_MARGIN_MS = 3_600_000;

/**
 * Whether an outbox none of whose entries the stream holds is beyond what the stream keeps, so it must not be
 * published again: it was decided longer ago than the max age (less a margin; `decidedAtMs` and `nowMs` on the
 * aggregate's clock), or the stream dropped messages stored after the outbox's KV write (`writtenAtMs`, server clock):
 * it was emptied after it (`lastMs`), or it dropped its first messages (a purge, a limit) and holds none from before it.
 */
export function isBeyondStream(
  span: StreamSpan,
  outbox: { readonly decidedAtMs: number | undefined; readonly writtenAtMs: number | undefined },
  nowMs: number,
): boolean {
  if (span.maxAgeMs > 0 && outbox.decidedAtMs !== undefined) {
    const margin = Math.min(span.maxAgeMs / 10, MAX_AGE_MARGIN_MS);
    if (outbox.decidedAtMs < nowMs - span.maxAgeMs + margin) return true;
  }
  const written = outbox.writtenAtMs;
  if (written === undefined || span.lastSeq === 0) return false;
  if (span.messages === 0) return written <= span.lastMs;
  return span.firstSeq > 1 && written < span.firstMs;
}

/** Decision time (epoch ms) of an outbox entry, from its CloudEvent `time`; undefined when it has none. */
function decidedAtMs(entry: OutboxEntry | undefined): number | undefined {
  const time = typeof entry?.time === "string" ? Date.parse(entry.time) : Number.NaN;
  return Number.isNaN(time) ? undefined : time;
}

const NANOS_PER_MS = 1_000_000;

/** `(version, n)` of a domain event id `<workerId>:<version>:<n>`, or undefined when it is not one. */
export function positionOfEventId(id: string): readonly [number, number] | undefined {
  const match = /:(\d+):(\d+)$/.exec(id);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function isAtOrAfter(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);
}

function streamUnavailable(error: unknown): TransientError {
  return new TransientError(`reading the worker events stream failed: ${(error as Error).message}`, {
    cause: error,
    code: "STREAM_UNAVAILABLE",
  });
}

/**
 * Outbox publisher on an acknowledged JetStream publisher. Entries are sent back to back on one connection, so the
 * stream keeps their order; each carries its id as `Nats-Msg-Id`.
 * @throws TransientError when a publish is not acknowledged or the stream cannot be read.
 */
export function createOutboxPublisher(
  publisher: AckedPublisher,
  jsm: JetStreamManager,
  options: {
    stream: string;
    clock?: () => Date;
    /** How long one reading of the stream's span serves, ms (default 1 s). */
    spanMaxAgeMs?: number;
  },
): OutboxPublisher {
  const clock = options.clock ?? (() => new Date());
  const spanMaxAgeMs = options.spanMaxAgeMs ?? 1_000;
  let span: { readAt: number; value: Promise<StreamSpan> } | undefined;
  const streamSpan = (nowMs: number): Promise<StreamSpan> => {
    if (!span || Math.abs(nowMs - span.readAt) > spanMaxAgeMs) {
      const value = jsm.streams.info(options.stream).then(
        ({ config, state }): StreamSpan => ({
          maxAgeMs: config.max_age / NANOS_PER_MS,
          messages: state.messages,
          firstSeq: state.first_seq,
          firstMs: Date.parse(state.first_ts),
          lastSeq: state.last_seq,
          lastMs: Date.parse(state.last_ts),
        }),
      );
      const reading = { readAt: nowMs, value };
      span = reading;
      // A failed read is not kept: the next check asks again.
      value.catch(() => {
        if (span === reading) span = undefined;
      });
    }
    return span.value;
  };
  const lastPositionOf = (subject: string) =>
    jsm.streams.getMessage(options.stream, { last_by_subj: subject }).then((message) => {
      const id = message?.header?.get("Nats-Msg-Id");
      return id ? positionOfEventId(id) : undefined;
    });

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
    async unpublished(entries, writtenAtMs) {
      if (entries.length === 0) return [];
      const lastBySubject = new Map<string, Promise<readonly [number, number] | undefined>>();
      let held: boolean[];
      try {
        held = await Promise.all(
          entries.map(async (entry) => {
            const subject = subjectOfOutboxEntry(entry);
            let last = lastBySubject.get(subject);
            if (!last) {
              last = lastPositionOf(subject);
              lastBySubject.set(subject, last);
            }
            const position = positionOfEventId(String(entry.id));
            const lastPosition = await last;
            return (
              position !== undefined && lastPosition !== undefined && isAtOrAfter(lastPosition, position)
            );
          }),
        );
      } catch (error) {
        throw streamUnavailable(error);
      }
      const missing = entries.filter((_, index) => !held[index]);
      if (missing.length < entries.length) return missing;
      const nowMs = clock().getTime();
      let current: StreamSpan;
      try {
        current = await streamSpan(nowMs);
      } catch (error) {
        throw streamUnavailable(error);
      }
      const outbox = { decidedAtMs: decidedAtMs(entries[0]), writtenAtMs };
      return isBeyondStream(current, outbox, nowMs) ? [] : missing;
    },
  };
}
