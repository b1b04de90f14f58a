import { collectPrometheusText, createPrometheusReader } from "@cml-telemetry/observability";
import type { Meter } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
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
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ "service.name": "api" }),
    readers: [reader],
  });
  return {
    meter: provider.getMeter("api"),
    scrape: () => collectPrometheusText(reader),
    shutdown: () => provider.shutdown(),
  };
}
