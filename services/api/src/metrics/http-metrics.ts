import type { Meter } from "@opentelemetry/api";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import { WS_ACCEPTED_STATUS } from "../routes/ws/ws-upgrade.ts";

/**
 * HTTP self-metrics: the histogram `http_server_request_duration_seconds{method,route,status}` (route = the matched
 * route pattern, never the raw path). Its `_count` series is the request counter, so no separate counter is kept
 * (each instrument costs every request).
 */
export function httpMetrics(meter: Meter): MiddlewareHandler {
  const duration = meter.createHistogram("http_server_request_duration_seconds", {
    description: "Time to answer HTTP requests (until headers for streams); `_count` counts requests",
    unit: "s",
    advice: {
      explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    },
  });
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const matched = routePath(c, -1);
      duration.record((performance.now() - started) / 1000, {
        method: c.req.method,
        route: c.res.status === 404 && matched === "/*" ? "unmatched" : matched,
        status: c.res.status === WS_ACCEPTED_STATUS ? "101" : String(c.res.status),
      });
    }
  };
}
