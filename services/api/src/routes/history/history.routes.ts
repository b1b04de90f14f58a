import { HISTORY_LIMITS } from "@cml-telemetry/contracts";
import { createRoute, z } from "@hono/zod-openapi";
import { authProblems, problemContent } from "../../app/problem-schema.ts";
import { workerIdParamSchema } from "../workers/workers.schemas.ts";

const statSchema = z.object({ count: z.number().int(), avg: z.number(), min: z.number(), max: z.number() });

/** History answer, snake_case. */
export const historyResultSchema = z
  .object({
    worker_id: z.string(),
    from: z.string(),
    to: z.string(),
    interval_seconds: z.number().int().nullable(),
    samples: z
      .array(
        z.object({
          timestamp: z.string(),
          source: z.enum(["ec2", "cloudwatch", "cml"]),
          region: z.string(),
          values: z.record(z.string(), z.number()),
          labels: z.record(z.string(), z.string()).optional(),
        }),
      )
      .optional(),
    buckets: z
      .array(
        z.object({
          start: z.string(),
          source: z.enum(["ec2", "cloudwatch", "cml"]),
          count: z.number().int(),
          metrics: z.record(z.string(), statSchema),
        }),
      )
      .optional(),
  })
  .openapi("MetricHistory");

/** Query of the history route. */
export const historyQuerySchema = z.object({
  from: z.string().optional().openapi({ description: "RFC 3339; default `to` − 24 h", format: "date-time" }),
  to: z.string().optional().openapi({ description: "RFC 3339; default now", format: "date-time" }),
  interval: z
    .string()
    .optional()
    .openapi({
      description: `Bucket width: seconds or 5m/1h/1d (${HISTORY_LIMITS.minIntervalSeconds}–${HISTORY_LIMITS.maxIntervalSeconds} s); without it raw samples`,
    }),
  source: z.string().optional().openapi({ description: "Comma list of ec2, cloudwatch, cml" }),
  metrics: z.string().optional().openapi({
    description:
      "Comma list: cpu, memory, labs_count, running_labs_count, uptime_seconds, cpu_percent, memory_used_percent, status",
  }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(HISTORY_LIMITS.maxSamples)
    .optional()
    .openapi({ type: "integer" }),
});

export const historyRoute = createRoute({
  method: "get",
  path: "/workers/{id}/metrics/history",
  tags: ["history"],
  security: [{ bearerAuth: [] }],
  summary: "Metric history of a worker (from metrics-history; outlives the worker)",
  request: { params: workerIdParamSchema, query: historyQuerySchema },
  responses: {
    200: {
      description: "Samples or buckets",
      content: { "application/json": { schema: historyResultSchema } },
    },
    400: problemContent("Bad from/to/interval/source/metrics (`validation-error`, `param` names it)"),
    404: problemContent("Unknown worker with no history (`not-found`)"),
    502: problemContent("History service failed (`upstream-error`)"),
    503: problemContent("History service did not answer in time (`service-unavailable`)"),
    ...authProblems,
  },
});
