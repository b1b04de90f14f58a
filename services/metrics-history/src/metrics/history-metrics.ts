import type { WorkerMetricsStore } from "@cml-telemetry/history-store";
import type { Meter } from "@opentelemetry/api";
import type { IngestProgress } from "../ingest/telemetry-ingest.ts";
import type { TelemetryBatchResult } from "../ingest/write-telemetry-batch.ts";

/** How a history query ended (also the `error.type` of failed replies). */
export type QueryOutcome = "ok" | "validation" | "unavailable" | "internal";

/** How a telemetry message was settled. */
export type TelemetryOutcome = "ack" | "nak" | "term";

/** Self-metrics of metrics-history (served on `METRICS_PORT`). */
export interface HistoryMetrics {
  recordBatch(result: TelemetryBatchResult): void;
  recordTelemetryOutcome(outcome: TelemetryOutcome, count?: number): void;
  recordQuery(outcome: QueryOutcome, durationMs: number): void;
  /** Reports ingest/replay progress as gauges from now on. */
  observeIngest(progress: () => IngestProgress): void;
}

/**
 * Creates the self-metrics: samples written and duplicates, telemetry outcomes, query count and latency, replay
 * progress, and the store's size (samples and bytes, read at scrape time).
 */
export function createHistoryMetrics(meter: Meter, store: WorkerMetricsStore): HistoryMetrics {
  const samplesWritten = meter.createCounter("history_samples_written_total", {
    description: "Samples stored as new observations",
  });
  const duplicates = meter.createCounter("history_sample_duplicates_total", {
    description: "Samples the store already held (redeliveries, replays, repeated observations)",
  });
  const withoutSample = meter.createCounter("history_telemetry_without_sample_total", {
    description: "Telemetry events that carry no sample (discovery, source failures)",
  });
  const telemetryMessages = meter.createCounter("history_telemetry_messages_total", {
    description: "Telemetry messages by outcome (ack, nak, term)",
  });
  const queries = meter.createCounter("history_queries_total", {
    description: "History queries answered, by outcome (ok, validation, unavailable, internal)",
  });
  const queryDuration = meter.createHistogram("history_query_duration_ms", {
    description: "Time to answer one history query, ms",
    unit: "ms",
    advice: { explicitBucketBoundaries: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000] },
  });
  const replayed = meter.createObservableGauge("history_replay_replayed_messages", {
    description: "Telemetry messages replayed into the embedded store since start",
  });
  const replayTotal = meter.createObservableGauge("history_replay_total_messages", {
    description: "Telemetry messages the stream held at start (what the replay has to read)",
  });
  const caughtUp = meter.createObservableGauge("history_replay_caught_up", {
    description: "1 once the store reflects the telemetry stream and queries are served",
  });
  const storeSamples = meter.createObservableGauge("history_store_samples", {
    description: "Samples held by the store",
  });
  const storeBytes = meter.createObservableGauge("history_store_bytes", {
    description: "Bytes used by the store (memory for the embedded store, storage + index for MongoDB)",
    unit: "By",
  });
  meter.addBatchObservableCallback(
    async (result) => {
      try {
        const stats = await store.stats();
        result.observe(storeSamples, stats.samples);
        if (stats.bytes !== null) result.observe(storeBytes, stats.bytes);
      } catch {
        // A store that cannot answer right now simply reports no size for this scrape.
      }
    },
    [storeSamples, storeBytes],
  );
  let progressOf: (() => IngestProgress) | undefined;
  meter.addBatchObservableCallback(
    (result) => {
      if (progressOf === undefined) return;
      const progress = progressOf();
      result.observe(replayed, progress.replayed);
      result.observe(replayTotal, progress.replayTotal);
      result.observe(caughtUp, progress.caughtUp ? 1 : 0);
    },
    [replayed, replayTotal, caughtUp],
  );
  return {
    recordBatch(result) {
      if (result.inserted > 0) samplesWritten.add(result.inserted);
      if (result.duplicates > 0) duplicates.add(result.duplicates);
      if (result.withoutSample > 0) withoutSample.add(result.withoutSample);
    },
    recordTelemetryOutcome(outcome, count = 1) {
      if (count > 0) telemetryMessages.add(count, { outcome });
    },
    recordQuery(outcome, durationMs) {
      queries.add(1, { outcome });
      queryDuration.record(durationMs, { outcome });
    },
    observeIngest(progress) {
      progressOf = progress;
    },
  };
}
