import {
  correlationIdOf,
  decodeEvent,
  HISTORY_LIMITS,
  type HistoryQueryReply,
  type HistoryQueryRequest,
  historyQueries,
  historyQueryRequestSchema,
  ValidationError,
} from "@cml-telemetry/contracts";
import {
  InvalidHistoryInputError,
  StoreUnavailableError,
  type WorkerMetricsStore,
} from "@cml-telemetry/history-store";
import { toHistoryBucket, toHistorySample } from "./to-history-reply.ts";

/** The reply to one query, plus what the caller needs to address it. */
export interface HistoryQueryAnswer {
  readonly reply: HistoryQueryReply;
  /** The worker asked about, when the request named one. */
  readonly workerId?: string;
  /** Carried over from the request. */
  readonly correlationId?: string;
  /** Why an `internal` reply happened (for the log; the reply itself stays generic). */
  readonly cause?: unknown;
}

/** Field named when the whole message is unusable (not JSON, not an object). */
export const WHOLE_MESSAGE_FIELD = "body";

/** A failed reply. */
export function errorReply(
  type: "validation" | "unavailable" | "internal",
  message: string,
  field?: string,
): HistoryQueryReply {
  return { ok: false, error: field === undefined ? { type, message } : { type, message, field } };
}

/**
 * Answers one `cml.svc.history.query` request: parses the CloudEvent, validates it with the contract (a bad request
 * gets a `validation` reply naming the field; the request's own fields are named as they are, e.g. `from`,
 * envelope attributes as CloudEvent attributes, e.g. `type`), then reads raw samples (no `intervalSeconds`; at most
 * `limit`, default {@link HISTORY_LIMITS.maxSamples}) or buckets. A store outage gives `unavailable`.
 */
export async function answerHistoryQuery(
  store: WorkerMetricsStore,
  payload: Uint8Array,
): Promise<HistoryQueryAnswer> {
  let request: HistoryQueryRequest;
  let correlationId: string | undefined;
  try {
    const event = decodeEvent(payload);
    correlationId = correlationIdOf(event);
    if (event.type !== historyQueries.request.type) {
      throw new ValidationError(`expected a ${historyQueries.request.type} event, got ${event.type}`, [
        { field: "type", message: `must be ${historyQueries.request.type}` },
      ]);
    }
    const parsed = historyQueryRequestSchema.safeParse(event.data);
    if (!parsed.success) throw ValidationError.fromZod("history query", parsed.error);
    request = parsed.data;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const issue = error.issues[0];
    const field = issue?.field ? issue.field : WHOLE_MESSAGE_FIELD;
    const message = issue?.field ? issue.message : error.message;
    return { reply: errorReply("validation", message, field), ...(correlationId ? { correlationId } : {}) };
  }
  const context = { workerId: request.workerId, ...(correlationId ? { correlationId } : {}) };
  try {
    return { reply: await runQuery(store, request), ...context };
  } catch (error) {
    if (error instanceof StoreUnavailableError) {
      return { reply: errorReply("unavailable", `history store unavailable: ${error.message}`), ...context };
    }
    if (error instanceof InvalidHistoryInputError) {
      return { reply: errorReply("validation", error.message, "data"), ...context };
    }
    return { reply: errorReply("internal", "the history query failed"), cause: error, ...context };
  }
}

async function runQuery(store: WorkerMetricsStore, request: HistoryQueryRequest): Promise<HistoryQueryReply> {
  const from = new Date(request.from);
  const to = new Date(request.to);
  const base = {
    ok: true as const,
    workerId: request.workerId,
    from: from.toISOString(),
    to: to.toISOString(),
  };
  if (request.intervalSeconds !== undefined) {
    const buckets = await store.getAggregatedStats(request.workerId, from, to, request.intervalSeconds, {
      ...(request.sources ? { sources: request.sources } : {}),
      ...(request.metrics ? { metrics: request.metrics } : {}),
    });
    return { ...base, intervalSeconds: request.intervalSeconds, buckets: buckets.map(toHistoryBucket) };
  }
  const samples = await store.getSamples(request.workerId, from, to, {
    ...(request.sources ? { sources: request.sources } : {}),
    limit: request.limit ?? HISTORY_LIMITS.maxSamples,
  });
  const replySamples = samples.map((sample) => toHistorySample(sample, request.metrics));
  return {
    ...base,
    intervalSeconds: null,
    // With a metric filter, observations that carry none of the metrics asked for are left out.
    samples: request.metrics
      ? replySamples.filter((sample) => Object.keys(sample.values).length > 0)
      : replySamples,
  };
}
