import { decodeEvent, parseWorkerEventSubject, subjects } from "@cml-telemetry/contracts";
import { createEventLoopYielder } from "@cml-telemetry/messaging";
import {
  type Consumer,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { matchesFilter } from "../live/feed-filter.ts";
import type { EventFeed, FeedEvent } from "../ports.ts";

/** What the JetStream event feed needs. */
export interface JetStreamEventFeedOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Name of the `CML_WORKER_EVENTS` stream (prefixed in tests). */
  stream: string;
  logger: Logger;
}

/** The JetStream event feed plus its lifecycle. */
export interface JetStreamEventFeed extends EventFeed {
  /** Stops the shared live consumer. */
  stop(): Promise<void>;
}

/** Smallest window of stream sequences scanned backwards for a worker's events. */
const MIN_SCAN_WINDOW = 1_024;

/** The domain event carried by a stream message, or undefined when it is not one (logged by the caller). */
export function toFeedEvent(msg: Pick<JsMsg, "seq" | "subject" | "data">): FeedEvent | undefined {
  const parts = parseWorkerEventSubject(msg.subject);
  if (!parts) return undefined;
  const json = new TextDecoder().decode(msg.data);
  try {
    const event = decodeEvent(json);
    return {
      seq: msg.seq,
      subject: msg.subject,
      workerId: parts.workerId,
      name: parts.eventName,
      event,
      json,
    };
  } catch {
    return undefined;
  }
}

/**
 * Domain events from JetStream: ONE ordered consumer (new messages only) shared by every live listener,
 * and short-lived ordered consumers for replays and per-worker reads. Works on nats-server 2.9
 * (single filter subject per consumer).
 */
export async function startJetStreamEventFeed(
  options: JetStreamEventFeedOptions,
): Promise<JetStreamEventFeed> {
  const { nc, js, jsm, stream, logger } = options;
  const listeners = new Set<(event: FeedEvent) => void>();
  let stopped = false;

  let lastSeq = 0;
  /** Set when the stream was recreated: the live consumer starts over from its first event. */
  let fromStart = false;
  let liveMessages: ConsumerMessages | undefined;

  function dispatch(msg: JsMsg): void {
    lastSeq = msg.seq;
    const event = toFeedEvent(msg);
    if (!event) {
      logger.warn(
        { seq: msg.seq, subject: msg.subject },
        "skipping stream message that is not a domain event",
      );
      return;
    }
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        logger.error({ err: error, seq: event.seq }, "live event listener failed");
      }
    }
  }

  /**
   * (Re)opens the shared ordered consumer: new messages at first, after the last one seen on a restart, every
   * message of a stream that was recreated (its sequences start over below the last one seen).
   */
  async function openLive(): Promise<ConsumerMessages> {
    const filter_subjects = subjects.workerEventsAll;
    const start = fromStart
      ? { deliver_policy: DeliverPolicy.All }
      : lastSeq === 0
        ? { deliver_policy: DeliverPolicy.New }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: lastSeq + 1 };
    fromStart = false;
    const consumer = await js.consumers.get(stream, { filter_subjects, ...start });
    return await consumer.consume({ max_messages: 512 });
  }

  // The ordered consumer would follow a recreated stream from its old position and skip every new event.
  const recreated = nc.subscribe(`$JS.EVENT.ADVISORY.STREAM.CREATED.${stream}`, {
    callback: () => {
      logger.warn({ stream, lastSeq }, "domain event stream was recreated; following it from its start");
      fromStart = true;
      lastSeq = 0;
      void liveMessages?.close().catch(() => undefined);
    },
  });

  liveMessages = await openLive();
  // A slot's worth of events arrives in a burst: let requests be served in between.
  const yielder = createEventLoopYielder();
  const liveLoop = (async () => {
    while (!stopped) {
      try {
        liveMessages ??= await openLive();
        for await (const msg of liveMessages) {
          dispatch(msg);
          await yielder();
        }
        if (stopped) return;
        logger.warn({ lastSeq }, "live domain event consumer ended; reopening");
      } catch (error) {
        if (stopped) return;
        logger.error({ err: error, lastSeq }, "live domain event consumer failed; reopening");
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      liveMessages = undefined;
    }
  })();

  /** Stored events in [fromSeq, toSeq] on `filterSubject`, ascending. */
  async function* readRange(
    filterSubject: string,
    fromSeq: number,
    toSeq: number,
  ): AsyncGenerator<FeedEvent> {
    if (fromSeq > toSeq) return;
    const consumer: Consumer = await js.consumers.get(stream, {
      filter_subjects: filterSubject,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: fromSeq,
    });
    const info = await consumer.info();
    if (info.num_pending === 0) return;
    const messages = await consumer.consume({ max_messages: 256 });
    try {
      for await (const msg of messages) {
        if (msg.seq > toSeq) break;
        const event = toFeedEvent(msg);
        if (event) yield event;
        if (msg.seq >= toSeq || msg.info.pending === 0) break;
      }
    } finally {
      await messages.close().catch(() => undefined);
    }
  }

  async function streamBounds(): Promise<{ first: number; last: number }> {
    const info = await jsm.streams.info(stream);
    return { first: info.state.first_seq, last: info.state.last_seq };
  }

  async function bounds(): Promise<{ firstSeq: number; lastSeq: number }> {
    const { first, last } = await streamBounds();
    // A stream that never held a message reports first_seq 0; it holds nothing, like an emptied one.
    return { firstSeq: first === 0 ? last + 1 : first, lastSeq: last };
  }

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async *replay(afterSeq, filter) {
      const { first, last } = await streamBounds();
      const filterSubject =
        filter.workerId === undefined ? subjects.workerEventsAll : subjects.workerEventsOf(filter.workerId);
      for await (const event of readRange(filterSubject, Math.max(first, afterSeq + 1), last)) {
        if (matchesFilter(event, filter)) yield event;
      }
    },
    async watchWorker(workerId, listener) {
      const subscription = nc.subscribe(subjects.workerEventsOf(workerId), {
        callback: (error, msg) => {
          if (error) return;
          try {
            listener(decodeEvent(msg.data));
          } catch {
            logger.warn({ subject: msg.subject }, "ignoring malformed domain event");
          }
        },
      });
      await nc.flush();
      return () => subscription.unsubscribe();
    },
    async workerEvents(workerId, { limit, beforeSeq }) {
      const { first, last } = await streamBounds();
      const filterSubject = subjects.workerEventsOf(workerId);
      let end = beforeSeq === undefined ? last : Math.min(last, beforeSeq - 1);
      let window = Math.max(MIN_SCAN_WINDOW, limit * 64);
      let found: FeedEvent[] = [];
      while (end >= first && found.length <= limit) {
        const start = Math.max(first, end - window + 1);
        const chunk: FeedEvent[] = [];
        for await (const event of readRange(filterSubject, start, end)) chunk.push(event);
        found = found.concat(chunk);
        end = start - 1;
        window *= 4;
      }
      const newestFirst = found.sort((a, b) => b.seq - a.seq);
      const items = newestFirst.slice(0, limit);
      const hasMore = newestFirst.length > limit;
      return { items, nextBeforeSeq: hasMore ? (items.at(-1)?.seq ?? null) : null };
    },
    bounds,
    async stop() {
      stopped = true;
      recreated.unsubscribe();
      listeners.clear();
      await liveMessages?.close().catch(() => undefined);
      await liveLoop;
    },
  };
}
