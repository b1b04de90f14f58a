import type { Meter } from "@opentelemetry/api";
import type { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, type MetricReader } from "@opentelemetry/sdk-metrics";
import type { Health } from "./create-health.ts";
import { type ObservabilityServer, startObservabilityServer } from "./observability-server.ts";
import { collectPrometheusText, createPrometheusReader } from "./prometheus-text.ts";

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Service name: the meter name and the `service.name` resource attribute. */
  service: string;
  /** `METRICS_PORT`: port of the `/metrics` + `/healthz` + `/readyz` server; 0 = no server (the meter still works). */
  port: number;
  /** Listen address; default all interfaces. */
  host?: string;
  /** Readiness served on `/readyz`. */
  health?: Health;
  /** Extra readers (e.g. a periodic exporter), added beside the Prometheus one. */
  readers?: MetricReader[];
}

/** Self-metrics of a service. */
export interface Metrics {
  meter: Meter;
  meterProvider: MeterProvider;
  /** The Prometheus reader; render it with `scrape()` or `collectPrometheusText`. */
  reader: PrometheusExporter;
  /** Bound port of the HTTP server, or 0 when disabled. */
  port: number;
  /** Current metrics in Prometheus text format. */
  scrape(): Promise<string>;
  /** Stops the HTTP server and shuts the meter provider down. */
  close(): Promise<void>;
}

/**
 * OpenTelemetry meter backed by a Prometheus reader, served on `port` with health endpoints.
 * @example const metrics = await createMetrics({ service: "collector-cml", port: config.METRICS_PORT, health });
 * metrics.meter.createCounter("cml_requests_total").add(1, { endpoint: "labs" });
 */
export async function createMetrics(options: MetricsOptions): Promise<Metrics> {
  const reader = createPrometheusReader();
  const meterProvider = new MeterProvider({
    resource: resourceFromAttributes({ "service.name": options.service }),
    readers: [reader, ...(options.readers ?? [])],
  });
  const scrape = (): Promise<string> => collectPrometheusText(reader);
  let server: ObservabilityServer | undefined;
  if (options.port > 0) {
    try {
      server = await startObservabilityServer({
        port: options.port,
        host: options.host,
        metrics: scrape,
        health: options.health,
      });
    } catch (error) {
      await meterProvider.shutdown();
      throw error;
    }
  }
  return {
    meter: meterProvider.getMeter(options.service),
    meterProvider,
    reader,
    port: server?.port ?? 0,
    scrape,
    close: async () => {
      await server?.close();
      await meterProvider.shutdown();
    },
  };
}
