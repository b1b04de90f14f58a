import { type CmlCloudEvent, decodeEvent, TransientError, ValidationError } from "@cml-telemetry/contracts";
import {
  AckPolicy,
  type Consumer,
  DeliverPolicy,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { redeliveryBackoffMs, spreadDelayMs } from "./backoff.ts";
import type { Logger } from "./logger.ts";

/** One parsed message handed to a handler. */
export interface Delivery {
  readonly event: CmlCloudEvent<unknown>;
  readonly subject: string;
  readonly streamSequence: number;
  readonly deliveryCount: number;
  readonly msg: JsMsg;
}

/** What happened to a message. */
export type Outcome = "ack" | "nak" | "term";

export interface ConsumeLoopOptions {
  readonly nc: NatsConnection;
  readonly stream: string;
  /** Durable consumer name shared by all replicas. */
  readonly durable: string;
  readonly filterSubject: string;
  readonly logger: Logger;
  /** Handles one message; throw `ValidationError` (term) or `TransientError` (nak with backoff). */
  readonly handler?: (delivery: Delivery) => Promise<void>;
  /** Handles a micro-batch; returns, in the same order, `undefined` for success or the error of each message. */
  readonly batchHandler?: (deliveries: readonly Delivery[]) => Promise<ReadonlyArray<unknown>>;
  /** Messages handled together at most (default 100). */
  readonly batchSize?: number;
  readonly ackWaitMs?: number;
  /** Unexpected errors are retried this many deliveries, then the message is termed (default 5). */
  readonly maxDeliver?: number;
  /** Where a new consumer starts (default `all`). */
  readonly deliverPolicy?: "all" | "new";
  /**
   * Redelivery delay of a failed message by delivery count (default 1 s, 2 s, 4 s … 60 s); a `TransientError`'s
   * `retryAfterMs` takes its place. Either is spread by up to one fetch period (`maxWaitMs`), see `spreadDelayMs`.
   */
  readonly backoffMs?: (deliveryCount: number) => number;
  /**
   * `eager` (default): hand over what has arrived as soon as the client queue is empty (lowest latency).
   * `whole-fetch`: hand over only full fetches (or what a fetch brought before it expired), so handlers can pack
   * external calls tightly (e.g. 100 instance ids per EC2 call).
   */
  readonly batchMode?: "eager" | "whole-fetch";
  /** Longest wait of one fetch for messages, ms (default 1 s); also the longest a `stop()` waits for it. */
  readonly maxWaitMs?: number;
  /**
   * Batches handled at the same time (default 1). Above 1 the handler must itself keep whatever order it needs
   * (e.g. serialise per key): a later batch may finish first. Fetching always overlaps handling.
   */
  readonly concurrency?: number;
  /** Called for each message outcome (self-metrics). */
  readonly onOutcome?: (outcome: Outcome, subject: string, type: string | undefined) => void;
  /**
   * Signal progress (`working()`) on every message held, in a handler or read ahead, this often (ms; default: never).
   * A handler that may outlast `ackWaitMs` (a collector's pass under throttling) sets it below the ack wait so its
   * messages are not redelivered to another replica meanwhile.
   */
  readonly progressIntervalMs?: number;
}

/** A running consume loop. */
export interface ConsumeLoop {
  /** Stops fetching after the current fetch, handles and acks what it brought, then resolves. */
  stop(): Promise<void>;
  /** Settles when the loop ends (after `stop`, or with the error that ended it). */
  readonly done: Promise<void>;
}

const NANOS_PER_MS = 1_000_000;

/** Default of {@link ConsumeLoopOptions.maxWaitMs}. */
const DEFAULT_MAX_WAIT_MS = 1_000;

/**
 * Batches' worth of messages read ahead of the handlers at most, plus the fetch being read. Their ack wait runs
 * while they wait for a handler, so a slow handler (a collector's batch of remote calls) must not have many ahead.
 */
const PREFETCH_BATCHES = 1;

/** Creates the durable pull consumer if missing; a consumer that exists is left as it is (its state is precious). */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  options: Pick<
    ConsumeLoopOptions,
    "stream" | "durable" | "filterSubject" | "ackWaitMs" | "deliverPolicy" | "logger"
  >,
): Promise<void> {
  try {
    const info = await jsm.consumers.info(options.stream, options.durable);
    if (info.config.filter_subject !== options.filterSubject) {
      options.logger.warn(
        { stream: options.stream, durable: options.durable, current: info.config.filter_subject },
        "durable consumer has a different filter subject; leaving it unchanged",
      );
    }
    return;
  } catch (error) {
    if (!/not found/i.test(String((error as Error).message))) throw error;
  }
  await jsm.consumers.add(options.stream, {
    durable_name: options.durable,
    ack_policy: AckPolicy.Explicit,
    filter_subject: options.filterSubject,
    deliver_policy: options.deliverPolicy === "new" ? DeliverPolicy.New : DeliverPolicy.All,
    ack_wait: (options.ackWaitMs ?? 30_000) * NANOS_PER_MS,
    // Unlimited at the server: transient failures must never drop a message; unexpected errors are termed by the loop.
    max_deliver: -1,
    max_ack_pending: 20_000,
  });
  options.logger.info({ stream: options.stream, durable: options.durable }, "durable consumer created");
}

/**
 * Runs one durable pull-consume loop: parses each message as a CloudEvent, hands micro-batches to the handler and
 * acks, naks with backoff, or terms by error class. Malformed messages are termed before reaching the handler.
 */
export async function startConsumeLoop(options: ConsumeLoopOptions): Promise<ConsumeLoop> {
  if (!options.handler === !options.batchHandler)
    throw new TypeError("give exactly one of handler or batchHandler");
  const jsm = await jetstreamManager(options.nc);
  await ensureDurableConsumer(jsm, options);
  const js = jetstream(options.nc);
  const consumer = await js.consumers.get(options.stream, options.durable);
  let stopping = false;
  const done = run(consumer, options, () => stopping);
  return {
    done,
    async stop() {
      stopping = true;
      await done.catch(() => undefined);
    },
  };
}

/**
 * Fetches bounded batches and handles them as they arrive. Each fetch ends by itself (full or expired), so on stop
 * the current fetch is finished and handled: no message is left stranded on a pull request nobody listens to.
 *
 * Fetching and handling overlap: the next fetch is requested as soon as the last one has been read, while handlers
 * run, unless a batch is already waiting ({@link PREFETCH_BATCHES}); a batch is formed only when a handler slot is
 * free, from everything waiting (up to `batchSize`). So the server always has a request to fill, and under load
 * batches are full instead of a few messages each (fewer KV writes, acks and socket writes per message).
 */
async function run(
  consumer: Consumer,
  options: ConsumeLoopOptions,
  isStopping: () => boolean,
): Promise<void> {
  const batchSize = options.batchSize ?? 100;
  const expires = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const wholeFetch = options.batchMode === "whole-fetch";
  const maxInFlight = Math.max(1, options.concurrency ?? 1);
  /** Messages read and not yet handed to a batch, oldest first. */
  const waiting: JsMsg[] = [];
  /** How many of `waiting` came from fetches that have ended (a whole-fetch batch may take them though not full). */
  let ended = 0;
  let fetching = true;
  const arrived = createSignal();
  const taken = createSignal();
  /** Messages read and not yet settled (waiting or in a handler): the ones progress is signalled for. */
  const held = new Set<JsMsg>();
  const progress =
    options.progressIntervalMs !== undefined && options.progressIntervalMs > 0
      ? setInterval(() => {
          for (const msg of held) msg.working();
        }, options.progressIntervalMs)
      : undefined;
  progress?.unref();

  const fetchLoop = async (): Promise<void> => {
    let failures = 0;
    try {
      while (!isStopping() && !options.nc.isClosed()) {
        while (waiting.length >= PREFETCH_BATCHES * batchSize && !isStopping()) await taken.wait();
        if (isStopping()) break;
        try {
          await readFetch(await consumer.fetch({ max_messages: batchSize, expires }));
          failures = 0;
        } catch (error) {
          if (isStopping() || options.nc.isClosed()) break;
          if (isMissedHeartbeats(error)) {
            // nats-server 2.9 sends no idle heartbeat to a pull request while the consumer only has messages
            // waiting for redelivery (nak delay, ack wait): the fetch gives up after two missed heartbeats. That is
            // an empty fetch, not a failure: pull again at once, without backing off.
            options.logger.debug(
              { stream: options.stream, durable: options.durable },
              "empty fetch (no heartbeats)",
            );
            continue;
          }
          failures += 1;
          const delay = Math.min(5_000, 100 * 2 ** Math.min(failures, 6));
          options.logger.warn(
            {
              stream: options.stream,
              durable: options.durable,
              err: (error as Error).message,
              retryInMs: delay,
            },
            "fetch failed; retrying",
          );
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    } finally {
      fetching = false;
      arrived.notify();
    }
  };

  /**
   * Reads one fetch to its end; never waits for a handler (a fetch iterator that is not read while a long batch
   * runs misses its heartbeats and fails, stranding its buffered messages). Messages read before a fetch error
   * are handled; the error only ends this fetch.
   */
  const readFetch = async (messages: AsyncIterable<JsMsg>): Promise<void> => {
    try {
      for await (const msg of messages) {
        waiting.push(msg);
        if (progress) held.add(msg);
        arrived.notify();
      }
    } finally {
      ended = waiting.length;
      arrived.notify();
    }
  };

  /** How many waiting messages make the next batch now (0: wait for more). */
  const nextBatchSize = (): number => {
    if (waiting.length >= batchSize) return batchSize;
    return wholeFetch ? Math.min(ended, waiting.length) : waiting.length;
  };

  const inFlight = new Set<Promise<void>>();
  const fetched = fetchLoop();
  for (;;) {
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const size = nextBatchSize();
    if (size === 0) {
      if (!fetching) break;
      await arrived.wait();
      continue;
    }
    const batch = waiting.splice(0, size);
    ended = Math.max(0, ended - size);
    taken.notify();
    const handled: Promise<void> = handleBatch(batch, options)
      .finally(() => {
        for (const msg of batch) held.delete(msg);
      })
      .catch((error: unknown) => {
        // Unsettled messages are redelivered after the ack wait.
        options.logger.error(
          { stream: options.stream, durable: options.durable, err: errorText(error) },
          "batch handling failed",
        );
      })
      .finally(() => inFlight.delete(handled));
    inFlight.add(handled);
  }
  await fetched;
  await Promise.all(inFlight);
  clearInterval(progress);
}

/** Wakes one waiter (a promise only while somebody waits, not one per message). */
function createSignal(): { wait(): Promise<void>; notify(): void } {
  let wake: (() => void) | undefined;
  return {
    wait: () =>
      new Promise<void>((resolve) => {
        wake = resolve;
      }),
    notify: () => {
      const resolve = wake;
      wake = undefined;
      resolve?.();
    },
  };
}

async function handleBatch(batch: readonly JsMsg[], options: ConsumeLoopOptions): Promise<void> {
  const deliveries: Delivery[] = [];
  for (const msg of batch) {
    try {
      deliveries.push({
        event: decodeEvent(msg.data),
        subject: msg.subject,
        streamSequence: msg.seq,
        deliveryCount: msg.info.deliveryCount,
        msg,
      });
    } catch (error) {
      settle(msg, error, undefined, options);
    }
  }
  if (deliveries.length === 0) return;
  if (options.batchHandler) {
    let results: ReadonlyArray<unknown>;
    try {
      results = await options.batchHandler(deliveries);
    } catch (error) {
      results = deliveries.map(() => error);
    }
    deliveries.forEach((delivery, index) => {
      settle(delivery.msg, results[index], delivery.event.type, options);
    });
    return;
  }
  const handler = options.handler as (delivery: Delivery) => Promise<void>;
  for (const delivery of deliveries) {
    let failure: unknown;
    try {
      await handler(delivery);
    } catch (error) {
      failure = error ?? new Error("handler failed");
    }
    settle(delivery.msg, failure, delivery.event.type, options);
  }
}

function settle(msg: JsMsg, error: unknown, type: string | undefined, options: ConsumeLoopOptions): void {
  const outcome = decideOutcome(msg, error, options);
  // Only a message that is not acked is logged (decoding its headers is not free on the hot path).
  const context = () => ({
    stream: options.stream,
    durable: options.durable,
    subject: msg.subject,
    seq: msg.seq,
    msgId: msg.headers?.get("Nats-Msg-Id") || undefined,
    type,
    deliveryCount: msg.info.deliveryCount,
  });
  switch (outcome) {
    case "ack":
      msg.ack();
      break;
    case "term":
      // No reason text: nats-server 2.9 does not understand `+TERM <reason>` and would leave the message pending.
      msg.term();
      options.logger.warn({ ...context(), err: errorText(error) }, "message terminated");
      break;
    case "nak": {
      const delay = spreadDelayMs(
        error instanceof TransientError && error.retryAfterMs !== undefined
          ? error.retryAfterMs
          : (options.backoffMs ?? redeliveryBackoffMs)(msg.info.deliveryCount),
        options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
      );
      msg.nak(delay);
      options.logger.warn(
        { ...context(), err: errorText(error), retryInMs: delay },
        "message will be redelivered",
      );
      break;
    }
  }
  options.onOutcome?.(outcome, msg.subject, type);
}

function decideOutcome(msg: JsMsg, error: unknown, options: ConsumeLoopOptions): Outcome {
  if (error === undefined) return "ack";
  if (error instanceof ValidationError) return "term";
  if (error instanceof TransientError) return "nak";
  return msg.info.deliveryCount >= (options.maxDeliver ?? 5) ? "term" : "nak";
}

function isMissedHeartbeats(error: unknown): boolean {
  return error instanceof Error && /heartbeats missed/i.test(error.message);
}

function errorText(error: unknown): string {
  if (error instanceof ValidationError) return `${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
