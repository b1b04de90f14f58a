import { TransientError, ValidationError } from "@cml-telemetry/contracts";
import type { WorkerMetricsStore } from "@cml-telemetry/history-store";
import type { Logger } from "@cml-telemetry/messaging";
import {
  type ConsumerMessages,
  DeliverPolicy,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { HistoryMetrics } from "../metrics/history-metrics.ts";
import { decodeTelemetryEnvelope, type TelemetryEnvelope } from "./decode-telemetry-envelope.ts";
import { startReplayProgressReporter } from "./replay-progress-reporter.ts";
import type { IngestProgress, TelemetryIngest } from "./telemetry-ingest.ts";
import { writeTelemetryBatch } from "./write-telemetry-batch.ts";

/** Options of {@link startReplayTelemetryIngest}. */
export interface ReplayIngestOptions {
  readonly nc: NatsConnection;
  /** The telemetry stream (`CML_TELEMETRY`, maybe prefixed). */
  readonly stream: string;
  readonly filterSubject: string;
  readonly store: WorkerMetricsStore;
  readonly logger: Logger;
  readonly metrics?: HistoryMetrics;
  /** Messages written with one `addSamples` at most (default 1000). */
  readonly batchSize?: number;
  /** How often replay progress is logged, ms (default 5 s). */
  readonly progressLogIntervalMs?: number;
  /** Pause before writing a batch again after a transient store failure, ms (default 1 s). */
  readonly retryDelayMs?: number;
}

/**
 * Rebuilds the in-process (embedded) store: an ordered consumer of this process alone reads the telemetry stream
 * from its first message, writes batches to the store, then stays live on new telemetry. Every replica holds a full
 * copy. The server removes the ephemeral consumer when the process goes away, so nothing is left behind.
 *
 * `caughtUp` resolves once everything the stream held at start has been written (or the stream was empty).
 * Malformed messages are logged with their sequence and skipped; a transient store failure retries the batch
 * (never dropped).
 */
export async function startReplayTelemetryIngest(options: ReplayIngestOptions): Promise<TelemetryIngest> {
  const batchSize = options.batchSize ?? 1_000;
  const jsm = await jetstreamManager(options.nc);
  const info = await jsm.streams.info(options.stream);
  const targetSeq = info.state.last_seq;
  const replayTotal = info.state.messages;
  const consumer = await jetstream(options.nc).consumers.get(options.stream, {
    filter_subjects: options.filterSubject,
    deliver_policy: DeliverPolicy.All,
  });
  const messages = await consumer.consume({ max_messages: batchSize * 2 });

  let handled = 0;
  let replayed = 0;
  let caughtUp = false;
  let stopping = false;
  let markCaughtUp: () => void = () => undefined;
  const caughtUpPromise = new Promise<void>((resolve) => {
    markCaughtUp = resolve;
  });
  const startedAt = Date.now();
  const progress = (): IngestProgress => ({ handled, replayTotal, replayed, caughtUp });
  options.metrics?.observeIngest(progress);

  const finishReplay = (): void => {
    if (caughtUp) return;
    caughtUp = true;
    replayed = replayTotal;
    stopReporter();
    options.logger.info(
      { replayed: handled, total: replayTotal, durationMs: Date.now() - startedAt },
      "telemetry replay caught up",
    );
    markCaughtUp();
  };
  options.logger.info(
    { stream: options.stream, total: replayTotal },
    "replaying telemetry into the embedded store",
  );
  const stopReporter = startReplayProgressReporter({
    progress,
    logger: options.logger,
    intervalMs: options.progressLogIntervalMs ?? 5_000,
  });
  if (targetSeq === 0 || replayTotal === 0) finishReplay();

  const writeBatch = async (batch: readonly JsMsg[]): Promise<void> => {
    const events: TelemetryEnvelope[] = [];
    const sequences: number[] = [];
    for (const msg of batch) {
      try {
        events.push(decodeTelemetryEnvelope(msg.data));
        sequences.push(msg.seq);
      } catch (error) {
        logSkipped(options.logger, msg.seq, msg.subject, error);
      }
    }
    let terminated = batch.length - events.length;
    for (;;) {
      try {
        const result = await writeTelemetryBatch(options.store, events);
        options.metrics?.recordBatch(result);
        result.results.forEach((failure, index) => {
          if (failure === undefined) return;
          terminated += 1;
          logSkipped(options.logger, sequences[index] as number, undefined, failure, events[index]?.id);
        });
        break;
      } catch (error) {
        if (!(error instanceof TransientError) || stopping) {
          options.logger.error(
            { err: (error as Error).message, firstSeq: batch[0]?.seq, lastSeq: batch.at(-1)?.seq },
            "telemetry batch could not be written to the embedded store; skipped",
          );
          terminated = batch.length;
          break;
        }
        options.metrics?.recordTelemetryOutcome("nak", batch.length);
        options.logger.warn({ err: error.message }, "history store unavailable; retrying the batch");
        await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 1_000));
      }
    }
    options.metrics?.recordTelemetryOutcome("term", terminated);
    options.metrics?.recordTelemetryOutcome("ack", batch.length - terminated);
    handled += batch.length;
    const last = batch.at(-1) as JsMsg;
    if (!caughtUp) {
      replayed = Math.min(replayTotal, replayed + batch.length);
      if (last.seq >= targetSeq || last.info.pending === 0) finishReplay();
    }
  };

  const done = consumeBatches(messages, batchSize, writeBatch).catch((error: unknown) => {
    options.logger.error({ err: (error as Error).message }, "telemetry replay consumer ended");
  });
  return {
    caughtUp: caughtUpPromise,
    progress,
    async stop() {
      stopping = true;
      stopReporter();
      await messages.close().catch(() => undefined);
      await done;
    },
  };
}

/** Hands over what has arrived whenever the client queue runs dry or a batch is full. */
async function consumeBatches(
  messages: ConsumerMessages,
  batchSize: number,
  writeBatch: (batch: readonly JsMsg[]) => Promise<void>,
): Promise<void> {
  let buffer: JsMsg[] = [];
  for await (const msg of messages) {
    buffer.push(msg);
    if (buffer.length >= batchSize || messages.getPending() === 0) {
      const batch = buffer;
      buffer = [];
      await writeBatch(batch);
    }
  }
  if (buffer.length > 0) await writeBatch(buffer);
}

function logSkipped(
  logger: Logger,
  seq: number,
  subject: string | undefined,
  error: unknown,
  id?: string,
): void {
  logger.warn(
    { seq, subject, id, err: error instanceof ValidationError ? error.message : String(error) },
    "malformed telemetry message skipped",
  );
}
