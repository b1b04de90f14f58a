import { createEvent, encodeEvent, opsEvents, subjects } from "@cml-telemetry/contracts";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "pino";
import type { ConnectionOps } from "../ports.ts";

/**
 * Connection ops events on `cml.ops.api.connection` as fire-and-forget core publishes (captured by `CML_OPS`
 * when it exists): never awaits, never throws; failures are logged and dropped.
 */
export function createNatsConnectionOps(nc: NatsConnection, logger: Logger): ConnectionOps {
  function publish(build: () => Uint8Array): void {
    try {
      nc.publish(subjects.opsConnection, build());
    } catch (error) {
      logger.warn({ err: (error as Error).message }, "dropping connection ops event");
    }
  }
  return {
    established(connectionId, transport) {
      publish(() =>
        encodeEvent(
          createEvent(opsEvents.connectionEstablished, { source: "api", data: { connectionId, transport } }),
        ),
      );
    },
    closed(connectionId, transport, durationSeconds, reason) {
      publish(() =>
        encodeEvent(
          createEvent(opsEvents.connectionClosed, {
            source: "api",
            data: { connectionId, transport, durationSeconds, reason },
          }),
        ),
      );
    },
  };
}
