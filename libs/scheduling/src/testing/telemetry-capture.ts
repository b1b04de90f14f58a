import { type CmlCloudEvent, decodeEvent } from "@cml-telemetry/contracts";
import { createCloudEventSchemaValidator } from "@cml-telemetry/contracts/testing";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";

/** Every message published on a subject pattern, decoded, with the CloudEvents schema errors seen. */
export interface TelemetryCapture {
  readonly events: CmlCloudEvent<unknown>[];
  /** Messages that failed the official CloudEvents JSON schema (should stay empty). */
  readonly schemaErrors: string[];
  /** Events of one type for one worker (subject). */
  of(type: string, workerId?: string): CmlCloudEvent<unknown>[];
  clear(): void;
  stop(): void;
}

/** Subscribes (core NATS) to `pattern` and records every event, validating it against the CloudEvents schema. */
export function captureTelemetry(nc: NatsConnection, pattern = "cml.telemetry.>"): TelemetryCapture {
  const validate = createCloudEventSchemaValidator();
  const events: CmlCloudEvent<unknown>[] = [];
  const schemaErrors: string[] = [];
  const sub: Subscription = nc.subscribe(pattern, {
    callback: (_error, msg) => {
      const raw: unknown = JSON.parse(new TextDecoder().decode(msg.data));
      const problem = validate(raw);
      if (problem) schemaErrors.push(`${msg.subject}: ${problem}`);
      events.push(decodeEvent(msg.data));
    },
  });
  return {
    events,
    schemaErrors,
    of: (type, workerId) =>
      events.filter((e) => e.type === type && (workerId === undefined || e.subject === workerId)),
    clear: () => {
      events.length = 0;
    },
    stop: () => sub.unsubscribe(),
  };
}
