import type { CmlCallHook, CmlLabReadPath } from "@cml-telemetry/cml-client";
import type { Meter } from "@opentelemetry/api";
import type { CmlCollection } from "./collect-cml-worker.ts";

/** Self-metrics of collector-cml (served on METRICS_PORT). */
export interface CollectorCmlMetrics {
  /** The cml-client `onCall` hook: calls by endpoint/outcome, authentications, latency. */
  readonly onCall: CmlCallHook;
  /** Counts one collection by result (`metrics`, `not_ready`, `failed`) and error type. */
  recordCollection(collection: CmlCollection): void;
  /** Counts a collect command that caused no CML call (unknown worker, not RUNNING, no endpoint). */
  recordSkipped(reason: string): void;
  /** Counts a controller whose labs are read through another path now (`tiles` or `documented`). */
  recordLabPath(path: CmlLabReadPath): void;
}

/**
 * Creates the collector's instruments on `meter`. `cachedClients` feeds the gauge of live CML clients.
 * @example const selfMetrics = createCollectorCmlMetrics(metrics.meter, () => clients.size());
 */
export function createCollectorCmlMetrics(meter: Meter, cachedClients: () => number): CollectorCmlMetrics {
  const calls = meter.createCounter("cml_client_calls_total", {
    description: "HTTP exchanges with CML controllers, by API endpoint and outcome",
  });
  const authentications = meter.createCounter("cml_client_authentications_total", {
    description: "POST /authenticate calls to CML controllers, by outcome",
  });
  const latency = meter.createHistogram("cml_client_call_duration_seconds", {
    description: "Duration of HTTP exchanges with CML controllers",
    unit: "s",
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] },
  });
  const collections = meter.createCounter("cml_collections_total", {
    description: "Worker collections, by result and error type",
  });
  const skipped = meter.createCounter("cml_collect_commands_skipped_total", {
    description: "Collect commands that caused no CML call, by reason",
  });
  const labPaths = meter.createCounter("cml_lab_read_path_changes_total", {
    description:
      "Controllers whose labs are read through another path now: tiles (populate_lab_tiles) or documented (labs + labs/{id}/state)",
  });
  meter
    .createObservableGauge("cml_cached_clients", {
      description: "CML clients kept across cycles (one per worker)",
    })
    .addCallback((result) => result.observe(cachedClients()));

  return {
    onCall(endpoint, outcome, durationMs) {
      calls.add(1, { endpoint, outcome });
      if (endpoint === "authenticate") authentications.add(1, { outcome });
      latency.record(durationMs / 1000, { endpoint });
    },
    recordCollection(collection) {
      if (collection.kind === "failed") {
        collections.add(1, { result: "failed", error_type: collection.errorType });
      } else {
        collections.add(1, { result: collection.telemetry.ready ? "metrics" : "not_ready", error_type: "" });
      }
    },
    recordSkipped(reason) {
      skipped.add(1, { reason });
    },
    recordLabPath(path) {
      labPaths.add(1, { path });
    },
  };
}
