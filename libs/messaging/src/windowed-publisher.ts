import { encodeEvent } from "@cml-telemetry/contracts";
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import type { CloudEvent } from "cloudevents";

/** A bulk publisher keeping up to `window` publishes in flight. */
export interface WindowedPublisher {
  /** Queues a publish; waits only while the window is full. Failures surface from `flush()`. */
  publish(subject: string, event: CloudEvent<unknown>, msgId?: string): Promise<void>;
  /** Waits for every queued publish; rejects with the first failure (then clears it). */
  flush(): Promise<{ published: number; duplicates: number }>;
}

/** Creates a windowed async publisher for bulk work (collector cycles, benchmarks). */
export function createWindowedPublisher(
  js: JetStreamClient,
  options: { window?: number } = {},
): WindowedPublisher {
  const window = options.window ?? 256;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let published = 0;
  let duplicates = 0;

  function track(ack: Promise<PubAck>): void {
    const settled = ack.then(
      (result) => {
        published += 1;
        if (result.duplicate) duplicates += 1;
      },
      (error: unknown) => {
        failure ??= error;
      },
    );
    const entry = settled.finally(() => inFlight.delete(entry));
    inFlight.add(entry);
  }

  return {
    async publish(subject, event, msgId) {
      while (inFlight.size >= window) await Promise.race(inFlight);
      track(js.publish(subject, encodeEvent(event), { msgID: msgId ?? event.id }));
    },
    async flush() {
      await Promise.all(inFlight);
      if (failure !== undefined) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      const result = { published, duplicates };
      published = 0;
      duplicates = 0;
      return result;
    },
  };
}
