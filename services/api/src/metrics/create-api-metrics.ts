import {
  collectPrometheusText,
  createPrometheusReader,
  createSnapshotReader,
} from "@cml-telemetry/observability";
import type { Meter } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider } from "@opentelemetry/sdk-metrics";

/** The API's meters and their Prometheus text, served on the API's own `/metrics`. */
export interface ApiMetrics {
  /** HTTP self-metrics: cumulative, as Prometheus counters and histograms must be. */
  meter: Meter;
  /**
   * Worker gauges: each scrape holds only the series observed in it, so a worker that is terminated or removed
   * leaves no series behind (a cumulative reader would repeat its last values forever).
   */
  workerMeter: Meter;
  scrape(): Promise<string>;
  shutdown(): Promise<void>;
}

/** Meters with readers that open no server of their own. */
export function createApiMetrics(): ApiMetrics {
  const resource = resourceFromAttributes({ "service.name": "api" });
  const httpReader = createPrometheusReader();
  const httpProvider = new MeterProvider({ resource, readers: [httpReader] });
  const workerReader = createSnapshotReader();
  const workerProvider = new MeterProvider({ resource, readers: [workerReader] });
  return {
    meter: httpProvider.getMeter("api"),
    workerMeter: workerProvider.getMeter("api"),
    async scrape() {
      const [http, workers] = await Promise.all([
        collectPrometheusText(httpReader, { withoutScopeInfo: true }),
        collectPrometheusText(workerReader, { withoutScopeInfo: true, withoutTargetInfo: true }),
      ]);
      return `${http}\n${workers}`;
    },
    async shutdown() {
      await Promise.all([httpProvider.shutdown(), workerProvider.shutdown()]);
    },
  };
}
