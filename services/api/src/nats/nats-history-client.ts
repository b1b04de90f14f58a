import {
  createEvent,
  decodeEvent,
  encodeEvent,
  historyQueries,
  parseEventData,
  subjects,
} from "@cml-telemetry/contracts";
import type { NatsConnection } from "@nats-io/transport-node";
import { type HistoryClient, HistoryUnavailableError } from "../ports.ts";

/** Asks metrics-history over NATS request/reply; no responders, a timeout or a closed connection mean unavailable. */
export function createNatsHistoryClient(
  nc: NatsConnection,
  options: { timeoutMs?: number } = {},
): HistoryClient {
  const timeout = options.timeoutMs ?? 5_000;
  return {
    async query(request) {
      const event = createEvent(historyQueries.request, {
        source: "api",
        subject: request.workerId,
        data: request,
      });
      let replyData: Uint8Array;
      try {
        const reply = await nc.request(subjects.historyQuery, encodeEvent(event), { timeout });
        replyData = reply.data;
      } catch (error) {
        throw new HistoryUnavailableError(`history service did not answer: ${(error as Error).message}`, {
          cause: error,
        });
      }
      return parseEventData(historyQueries.reply, decodeEvent(replyData));
    },
  };
}
