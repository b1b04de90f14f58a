import { z } from "zod";
import { sourceSchema } from "./enums.ts";
import { defineMessage } from "./message-definition.ts";
import { regionSchema, timestampSchema, workerIdSchema } from "./primitives.ts";

/** Numeric metrics kept in history (DESIGN §6). */
export const HISTORY_METRICS = [
  "cpu",
  "memory",
  "labsCount",
  "runningLabsCount",
  "uptimeSeconds",
  "cpuPercent",
  "memoryUsedPercent",
  "status",
] as const;
export const historyMetricSchema = z.enum(HISTORY_METRICS);
export type HistoryMetric = z.infer<typeof historyMetricSchema>;

/** Bounds of history queries. */
export const HISTORY_LIMITS = {
  maxRangeDays: 31,
  minIntervalSeconds: 60,
  maxIntervalSeconds: 86_400,
  maxSamples: 10_000,
} as const;

export const historyQueryRequestSchema = z
  .object({
    workerId: workerIdSchema,
    from: timestampSchema,
    to: timestampSchema,
    intervalSeconds: z
      .number()
      .int()
      .min(HISTORY_LIMITS.minIntervalSeconds)
      .max(HISTORY_LIMITS.maxIntervalSeconds)
      .optional()
      .describe("Bucket width; without it raw samples are returned"),
    sources: z.array(sourceSchema).min(1).optional(),
    metrics: z.array(historyMetricSchema).min(1).optional(),
    limit: z.number().int().min(1).max(HISTORY_LIMITS.maxSamples).optional(),
  })
  .superRefine((request, ctx) => {
    const from = Date.parse(request.from);
    const to = Date.parse(request.to);
    if (from >= to) ctx.addIssue({ code: "custom", path: ["from"], message: "from must be before to" });
    if (to - from > HISTORY_LIMITS.maxRangeDays * 86_400_000) {
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `range must not exceed ${HISTORY_LIMITS.maxRangeDays} days`,
      });
    }
  });
export type HistoryQueryRequest = z.infer<typeof historyQueryRequestSchema>;

export const historySampleSchema = z.object({
  timestamp: timestampSchema,
  source: sourceSchema,
  region: regionSchema,
  values: z.record(z.string(), z.number()).describe("Numeric metrics present in this observation"),
  labels: z.record(z.string(), z.string()).optional().describe("String fields, e.g. EC2 status names"),
});
export type HistorySample = z.infer<typeof historySampleSchema>;

export const historyStatSchema = z.object({
  count: z.number().int().nonnegative(),
  avg: z.number(),
  min: z.number(),
  max: z.number(),
});
export const historyBucketSchema = z.object({
  start: timestampSchema,
  source: sourceSchema,
  count: z.number().int().nonnegative(),
  metrics: z.record(z.string(), historyStatSchema),
});
export type HistoryBucket = z.infer<typeof historyBucketSchema>;

export const historyQueryReplySchema = z.discriminatedUnion("ok", [
  z.object({
    ok: z.literal(true),
    workerId: workerIdSchema,
    from: timestampSchema,
    to: timestampSchema,
    intervalSeconds: z.number().int().positive().nullable(),
    samples: z.array(historySampleSchema).optional(),
    buckets: z.array(historyBucketSchema).optional(),
  }),
  z.object({
    ok: z.literal(false),
    error: z.object({
      type: z.enum(["validation", "unavailable", "internal"]),
      message: z.string(),
      field: z.string().optional(),
    }),
  }),
]);
export type HistoryQueryReply = z.infer<typeof historyQueryReplySchema>;

export const historyQueries = {
  request: defineMessage({
    type: "io.cml-telemetry.query.history.v1",
    kind: "query",
    schema: historyQueryRequestSchema,
    channel: "cml.svc.history.query",
    description: "Request (NATS request/reply): raw samples, or buckets when intervalSeconds is set.",
    example: {
      workerId: "8f0b7a56-3a55-5a41-9a0c-6c1b2f7d9e10",
      from: "2026-11-24T12:00:00.000Z",
      to: "2026-11-25T12:00:00.000Z",
      intervalSeconds: 3600,
      sources: ["cloudwatch"],
      metrics: ["cpu", "memory"],
    },
  }),
  reply: defineMessage({
    type: "io.cml-telemetry.query.history_result.v1",
    kind: "query",
    schema: historyQueryReplySchema,
    channel: "cml.svc.history.query",
    description: "Reply to a history query; `ok: false` carries the error (a bad request names the field).",
    example: {
      ok: true,
      workerId: "8f0b7a56-3a55-5a41-9a0c-6c1b2f7d9e10",
      from: "2026-11-24T12:00:00.000Z",
      to: "2026-11-25T12:00:00.000Z",
      intervalSeconds: 3600,
      buckets: [
        {
          start: "2026-11-24T12:00:00.000Z",
          source: "cloudwatch",
          count: 12,
          metrics: { cpu: { count: 12, avg: 10.5, min: 2, max: 30 } },
        },
      ],
    },
  }),
} as const;
