import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { StreamPublishError, WRONG_LAST_SEQUENCE } from "./acked-publisher.ts";

/**
 * Whether a KV write or a JetStream publish failed its compare-and-set (the key or subject moved on since the revision
 * given, or a create-only key exists): someone else wrote first; read again and decide again.
 */
export function isCompareAndSetConflict(error: unknown): boolean {
  return (
    (error instanceof JetStreamApiError &&
      (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
        error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)) ||
    (error instanceof StreamPublishError && error.code === WRONG_LAST_SEQUENCE)
  );
}
