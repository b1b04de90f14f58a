import { PROMETHEUS_CONTENT_TYPE } from "@cml-telemetry/observability";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { type AppEnv, createRouter } from "../../app/create-router.ts";

const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["operations"],
  summary:
    "Prometheus text: worker gauges (cml_worker_status, cml_worker_cpu_utilization, cml_worker_memory_utilization, cml_worker_labs_count, cml_worker_uptime_seconds) and HTTP self-metrics",
  responses: { 200: { description: "Metrics", content: { "text/plain": { schema: z.string() } } } },
});

/** `/metrics`, mounted at the root. */
export function createMetricsRouter(deps: { scrape: () => Promise<string> }): OpenAPIHono<AppEnv> {
  return createRouter().openapi(metricsRoute, async (c) =>
    c.text(await deps.scrape(), 200, { "content-type": PROMETHEUS_CONTENT_TYPE }),
  );
}
