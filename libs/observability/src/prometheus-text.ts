import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";

/** Content type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * A Prometheus metric reader that never opens its own HTTP server; add it to a `MeterProvider`
 * and serve {@link collectPrometheusText} from any HTTP framework (e.g. the api's Hono `/metrics`).
 */
export function createPrometheusReader(): PrometheusExporter {
  return new PrometheusExporter({ preventServerStart: true });
}

/**
 * Collects the reader's current metrics and renders them in Prometheus text format.
 * @example app.get("/metrics", async (c) => c.text(await collectPrometheusText(reader), 200, { "content-type": PROMETHEUS_CONTENT_TYPE }))
 */
export async function collectPrometheusText(
  reader: PrometheusExporter,
  serializer = new PrometheusSerializer(),
): Promise<string> {
  const { resourceMetrics } = await reader.collect();
  return serializer.serialize(resourceMetrics);
}
