import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { AggregationTemporality, MetricReader } from "@opentelemetry/sdk-metrics";

/** Content type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * A Prometheus metric reader that never opens its own HTTP server; add it to a `MeterProvider`
 * and serve {@link collectPrometheusText} from any HTTP framework (e.g. the api's Hono `/metrics`).
 */
export function createPrometheusReader(): PrometheusExporter {
  return new PrometheusExporter({ preventServerStart: true });
}

/** A reader whose every collection holds only what the observable callbacks reported in it. */
class SnapshotReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/**
 * A reader for gauges observed from a changing set of things (e.g. one series per worker): a cumulative reader
 * keeps reporting the last value of a series nobody observes any more, this one drops it at the next collection.
 * Render it with {@link collectPrometheusText} (`withoutTargetInfo` when another reader already reports it).
 */
export function createSnapshotReader(): MetricReader {
  return new SnapshotReader();
}

/** How {@link collectPrometheusText} renders. */
export interface PrometheusTextOptions {
  /** Leave out `target_info` (when another reader's text, concatenated with this one, already has it). */
  withoutTargetInfo?: boolean;
  /**
   * Leave out the `otel_scope_name` label the exporter adds to every series: with one meter per service it tells
   * nothing and only grows every series' label set.
   */
  withoutScopeInfo?: boolean;
}

/**
 * Collects the reader's current metrics and renders them in Prometheus text format.
 * @example app.get("/metrics", async (c) => c.text(await collectPrometheusText(reader), 200, { "content-type": PROMETHEUS_CONTENT_TYPE }))
 */
export async function collectPrometheusText(
  reader: Pick<MetricReader, "collect">,
  options: PrometheusTextOptions = {},
): Promise<string> {
  const { resourceMetrics } = await reader.collect();
  const serializer = new PrometheusSerializer(
    undefined,
    false,
    undefined,
    options.withoutTargetInfo,
    options.withoutScopeInfo,
  );
  return serializer.serialize(resourceMetrics);
}
