import { collectPrometheusText, createPrometheusReader } from "@cml-telemetry/observability";
import type { Meter } from "@opentelemetry/api";
import { MeterProvider } from "@opentelemetry/sdk-metrics";

/** The API's meter and its Prometheus text, served on the API's own `/metrics`. */
export interface ApiMetrics {
  meter: Meter;
  scrape(): Promise<string>;
  shutdown(): Promise<void>;
}

/** A meter with a Prometheus reader that opens no server of its own. */
export function createApiMetrics(): ApiMetrics {
  const reader = createPrometheusReader();
  const provider = new MeterProvider({ readers: [reader] });
  return {
    meter: provider.getMeter("api"),
    scrape: () => collectPrometheusText(reader),
    shutdown: () => provider.shutdown(),
  };
}
