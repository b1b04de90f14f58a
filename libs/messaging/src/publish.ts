import { encodeEvent } from "@cml-telemetry/contracts";
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import type { CloudEvent } from "cloudevents";

/**
 * Publishes a CloudEvent to JetStream and awaits the ack. `Nats-Msg-Id` is `msgId` or the event id, so the
 * stream drops a repeat within its dedupe window (`ack.duplicate` is then true).
 */
export async function publishEvent(
  js: JetStreamClient,
  subject: string,
  event: CloudEvent<unknown>,
  options: { msgId?: string; timeoutMs?: number } = {},
): Promise<PubAck> {
  return await js.publish(subject, encodeEvent(event), {
    msgID: options.msgId ?? event.id,
    timeout: options.timeoutMs ?? 5_000,
  });
}
