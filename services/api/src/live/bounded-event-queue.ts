import type { FeedEvent } from "../ports.ts";

/** Limits of one live client's queue; beyond either the client is too slow and is dropped. */
export interface QueueLimits {
  maxEvents: number;
  maxBytes: number;
}

/** Default per-client bounds: 1,000 events or 1 MiB of event JSON. */
export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxEvents: 1_000, maxBytes: 1_048_576 };

/** A FIFO of events bounded in count and bytes, read by one async writer. */
export interface BoundedEventQueue {
  /** Adds an event; false (and nothing queued) when a bound would be exceeded. */
  push(event: FeedEvent): boolean;
  /** The next event, waiting for one; undefined once closed. */
  next(): Promise<FeedEvent | undefined>;
  /** Ends the queue: pending `next()` resolves undefined, queued events are discarded. */
  close(): void;
  readonly length: number;
}

/** Creates a queue that never holds more than `limits` allow. */
export function createBoundedEventQueue(limits: QueueLimits = DEFAULT_QUEUE_LIMITS): BoundedEventQueue {
  const items: FeedEvent[] = [];
  let head = 0;
  let bytes = 0;
  let closed = false;
  let wake: ((event: FeedEvent | undefined) => void) | undefined;

  return {
    get length() {
      return items.length - head;
    },
    push(event) {
      if (closed) return false;
      if (wake) {
        const resolve = wake;
        wake = undefined;
        resolve(event);
        return true;
      }
      if (items.length - head >= limits.maxEvents || bytes + event.json.length > limits.maxBytes)
        return false;
      items.push(event);
      bytes += event.json.length;
      return true;
    },
    next() {
      if (closed) return Promise.resolve(undefined);
      if (head < items.length) {
        const event = items[head] as FeedEvent;
        head += 1;
        bytes -= event.json.length;
        if (head > 1024 && head * 2 > items.length) {
          items.splice(0, head);
          head = 0;
        }
        return Promise.resolve(event);
      }
      return new Promise((resolve) => {
        wake = resolve;
      });
    },
    close() {
      closed = true;
      items.length = 0;
      head = 0;
      bytes = 0;
      const resolve = wake;
      wake = undefined;
      resolve?.(undefined);
    },
  };
}
