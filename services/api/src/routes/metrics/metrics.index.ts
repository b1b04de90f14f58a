import { PROMETHEUS_CONTENT_TYPE } from "@cml-telemetry/observability";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { type AppEnv, createRouter } from "../../app/create-router.ts";
import { authProblems } from "../../app/problem-schema.ts";

const metricsRoute = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["operations"],
  security: [{ bearerAuth: [] }],
  summary:
    "Prometheus text: worker gauges (cml_worker_status, cml_worker_cpu_utilization, cml_worker_memory_utilization, cml_worker_labs_count, cml_worker_uptime_seconds) and HTTP self-metrics. With API_TOKENS set it needs a viewer/operator token or METRICS_TOKEN.",
  responses: {
    200: { description: "Metrics", content: { "text/plain": { schema: z.string() } } },
    ...authProblems,
  },
});

/** `/metrics`, mounted at the root, behind `auth` (it lists the whole fleet inventory). */
export function createMetricsRouter(deps: {
  scrape: () => Promise<string>;
  auth: MiddlewareHandler<AppEnv>;
}): OpenAPIHono<AppEnv> {
  const router = createRouter();
  router.use("/metrics", deps.auth);
  return router.openapi(metricsRoute, async (c) =>
    c.text(await deps.scrape(), 200, { "content-type": PROMETHEUS_CONTENT_TYPE }),
  );
}
