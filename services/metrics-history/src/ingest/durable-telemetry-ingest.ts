import type { WorkerMetricsStore } from "@cml-telemetry/history-store";
import { type Logger, startConsumeLoop } from "@cml-telemetry/messaging";
import type { NatsConnection } from "@nats-io/transport-node";
import type { HistoryMetrics } from "../metrics/history-metrics.ts";
import type { IngestProgress, TelemetryIngest } from "./telemetry-ingest.ts";
import { writeTelemetryBatch } from "./write-telemetry-batch.ts";

/** Options of {@link startDurableTelemetryIngest}. */
export interface DurableIngestOptions {
  readonly nc: NatsConnection;
  readonly stream: string;
  /** The durable consumer shared by all replicas (`consumerNames.history`). */
  readonly durable: string;
  readonly filterSubject: string;
  readonly store: WorkerMetricsStore;
  readonly logger: Logger;
  readonly metrics?: HistoryMetrics;
  /** Messages written with one `addSamples` at most (default 500). */
  readonly batchSize?: number;
}

/**
 * Feeds a shared (MongoDB) store: all replicas share one durable consumer, each batch is written with one
 * `addSamples` and acknowledged only after the write. A store outage naks the batch with backoff (nothing is
 * dropped); a message with bad data is terminated and logged with its id. The store is shared, so there is no
 * replay: `caughtUp` is resolved from the start.
 */
export async function startDurableTelemetryIngest(options: DurableIngestOptions): Promise<TelemetryIngest> {
  let handled = 0;
  const progress = (): IngestProgress => ({ handled, replayTotal: 0, replayed: 0, caughtUp: true });
  options.metrics?.observeIngest(progress);
  const loop = await startConsumeLoop({
    nc: options.nc,
    stream: options.stream,
    durable: options.durable,
    filterSubject: options.filterSubject,
    logger: options.logger,
    batchSize: options.batchSize ?? 500,
    batchMode: "eager",
    deliverPolicy: "all",
    async batchHandler(deliveries) {
      const result = await writeTelemetryBatch(
        options.store,
        deliveries.map((delivery) => delivery.event),
      );
      options.metrics?.recordBatch(result);
      handled += deliveries.length;
      return result.results;
    },
    onOutcome: (outcome) => options.metrics?.recordTelemetryOutcome(outcome),
  });
  return {
    caughtUp: Promise.resolve(),
    progress,
    stop: () => loop.stop(),
  };
}
