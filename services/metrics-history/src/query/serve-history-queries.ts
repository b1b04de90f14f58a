import { createEvent, encodeEvent, historyQueries, subjects } from "@cml-telemetry/contracts";
import type { WorkerMetricsStore } from "@cml-telemetry/history-store";
import type { Logger } from "@cml-telemetry/messaging";
import type { Msg, NatsConnection } from "@nats-io/transport-node";
import type { HistoryMetrics, QueryOutcome } from "../metrics/history-metrics.ts";
import { answerHistoryQuery, errorReply, type HistoryQueryAnswer } from "./answer-history-query.ts";

/** The NATS queue group replicas share, so each query is answered once. */
export const HISTORY_QUERY_QUEUE = "metrics-history";

/** Bytes kept free under the server's max payload for the CloudEvent envelope and headers. */
const PAYLOAD_HEADROOM_BYTES = 1_024;
const DEFAULT_MAX_PAYLOAD = 1_048_576;

/** A running query server. */
export interface HistoryQueryServer {
  /** Stops taking queries, answers those in hand, then resolves. */
  stop(): Promise<void>;
}

/**
 * Serves `cml.svc.history.query` in the `metrics-history` queue group: every request gets a
 * `historyQueries.reply` CloudEvent (`ok: true` with samples or buckets, or `ok: false` naming the problem).
 * A reply larger than the server's max payload is replaced by a `validation` error asking for a narrower query.
 */
export function serveHistoryQueries(options: {
  nc: NatsConnection;
  store: WorkerMetricsStore;
  logger: Logger;
  metrics?: HistoryMetrics;
  now?: () => number;
}): HistoryQueryServer {
  const now = options.now ?? (() => performance.now());
  const maxPayload = (options.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD) - PAYLOAD_HEADROOM_BYTES;

  const handle = async (msg: Msg): Promise<void> => {
    const startedAt = now();
    let answer: HistoryQueryAnswer = await answerHistoryQuery(options.store, msg.data);
    let bytes = encodeReply(answer);
    if (bytes.length > maxPayload) {
      const field = answer.reply.ok && answer.reply.intervalSeconds !== null ? "intervalSeconds" : "limit";
      answer = {
        ...answer,
        reply: errorReply(
          "validation",
          `the reply would be ${bytes.length} bytes, above the ${maxPayload}-byte message limit; narrow the range, raise intervalSeconds or lower limit`,
          field,
        ),
      };
      bytes = encodeReply(answer);
    }
    const outcome: QueryOutcome = answer.reply.ok ? "ok" : answer.reply.error.type;
    const durationMs = now() - startedAt;
    options.metrics?.recordQuery(outcome, durationMs);
    const context = { workerId: answer.workerId, correlationId: answer.correlationId, outcome, durationMs };
    if (outcome === "internal") {
      options.logger.error({ ...context, err: String(answer.cause) }, "history query failed");
    } else if (!answer.reply.ok) {
      options.logger.info({ ...context, error: answer.reply.error }, "history query refused");
    } else {
      options.logger.debug(context, "history query answered");
    }
    if (!msg.reply) {
      options.logger.warn(context, "history query without a reply subject; nothing sent");
      return;
    }
    msg.respond(bytes);
  };

  const pending = new Set<Promise<void>>();
  const subscription = options.nc.subscribe(subjects.historyQuery, {
    queue: HISTORY_QUERY_QUEUE,
    callback: (error, msg) => {
      if (error) {
        options.logger.error({ err: error.message }, "history query subscription error");
        return;
      }
      const inFlight = handle(msg)
        .catch((failure: unknown) => {
          options.logger.error({ err: String(failure) }, "history query could not be answered");
        })
        .finally(() => pending.delete(inFlight));
      pending.add(inFlight);
    },
  });
  return {
    async stop() {
      await subscription.drain();
      await Promise.all(pending);
    },
  };
}

function encodeReply(answer: HistoryQueryAnswer): Uint8Array {
  return encodeEvent(
    createEvent(historyQueries.reply, {
      source: "metrics-history",
      data: answer.reply,
      ...(answer.workerId ? { subject: answer.workerId } : {}),
      ...(answer.correlationId ? { correlationId: answer.correlationId } : {}),
    }),
  );
}
