import {
  type CmlCloudEvent,
  createEvent,
  encodeEvent,
  opsEvents,
  type ServiceName,
  subjects,
} from "@cml-telemetry/contracts";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { z } from "zod";
import type { Logger } from "./logger.ts";

type JobCompleted = z.input<typeof opsEvents.jobCompleted.schema>;
type JobFailed = z.input<typeof opsEvents.jobFailed.schema>;
type JobStarted = z.input<typeof opsEvents.jobStarted.schema>;
type ConnectionEstablished = z.input<typeof opsEvents.connectionEstablished.schema>;
type ConnectionClosed = z.input<typeof opsEvents.connectionClosed.schema>;

/** Fire-and-forget publisher of ops events (CML_OPS). Never throws, never blocks the job. */
export interface OpsPublisher {
  jobStarted(data: JobStarted): void;
  jobCompleted(data: JobCompleted): void;
  jobFailed(data: JobFailed): void;
  connectionEstablished(data: ConnectionEstablished): void;
  connectionClosed(data: ConnectionClosed): void;
  /** Events dropped because the buffer was full or publishing failed. */
  dropped(): number;
  /** Waits (bounded) for in-flight publishes. */
  flush(timeoutMs?: number): Promise<void>;
}

/**
 * Creates the ops-event publisher of a service. At most `maxBuffer` publishes are in flight; beyond that events
 * are dropped and counted. Failures (e.g. CML_OPS absent) are logged at most once a minute and dropped.
 */
export function createOpsPublisher(options: {
  nc: NatsConnection;
  service: ServiceName;
  logger: Logger;
  maxBuffer?: number;
}): OpsPublisher {
  const js = jetstream(options.nc);
  const maxBuffer = options.maxBuffer ?? 1_000;
  const inFlight = new Set<Promise<unknown>>();
  let dropped = 0;
  let lastWarning = 0;

  function warn(message: string, error?: unknown): void {
    const now = Date.now();
    if (now - lastWarning < 60_000) return;
    lastWarning = now;
    options.logger.warn({ err: error instanceof Error ? error.message : undefined, dropped }, message);
  }

  function send(subject: string, build: () => CmlCloudEvent<unknown>): void {
    if (inFlight.size >= maxBuffer) {
      dropped += 1;
      warn("ops event buffer full; dropping ops events");
      return;
    }
    try {
      const event = build();
      // Like every message on every stream: `Nats-Msg-Id` is the CloudEvent id (DESIGN §4).
      const publish = js
        .publish(subject, encodeEvent(event), { msgID: event.id, timeout: 5_000 })
        .catch((error: unknown) => {
          dropped += 1;
          warn("ops event could not be published; dropping it", error);
        })
        .finally(() => inFlight.delete(publish));
      inFlight.add(publish);
    } catch (error) {
      dropped += 1;
      warn("ops event could not be built; dropping it", error);
    }
  }

  const jobSubject = subjects.opsJob(options.service);
  const source = options.service;
  return {
    jobStarted: (data) => send(jobSubject, () => createEvent(opsEvents.jobStarted, { source, data })),
    jobCompleted: (data) => send(jobSubject, () => createEvent(opsEvents.jobCompleted, { source, data })),
    jobFailed: (data) => send(jobSubject, () => createEvent(opsEvents.jobFailed, { source, data })),
    connectionEstablished: (data) =>
      send(subjects.opsConnection, () => createEvent(opsEvents.connectionEstablished, { source, data })),
    connectionClosed: (data) =>
      send(subjects.opsConnection, () => createEvent(opsEvents.connectionClosed, { source, data })),
    dropped: () => dropped,
    async flush(timeoutMs = 2_000) {
      await Promise.race([Promise.all(inFlight), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    },
  };
}
