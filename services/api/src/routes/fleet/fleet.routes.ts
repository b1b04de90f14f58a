import { SOURCES, WORKER_STATUSES } from "@cml-telemetry/contracts";
import { createRoute, z } from "@hono/zod-openapi";
import { authProblems } from "../../app/problem-schema.ts";

const count = z.number().int().nonnegative();

/** `GET /fleet/summary`: counts of the fleet and how often each source is collected. */
export const fleetSummarySchema = z
  .object({
    workers: z.object({
      total: count,
      by_status: z.object(Object.fromEntries(WORKER_STATUSES.map((status) => [status, count]))),
      idle: count,
      can_connect: count,
    }),
    collection_intervals_seconds: z
      .object(Object.fromEntries(SOURCES.map((source) => [source, z.number().int().positive()])))
      .openapi({
        description:
          "The configured COLLECT_INTERVAL_<SOURCE>_SECONDS. CloudWatch data of a worker changes no more often than its datapoint period (`cloudwatch_metrics.period_seconds`) either.",
      }),
    stale_after_intervals: z.number().int().positive().openapi({
      description: "A source is stale when its last success is older than this many of its intervals",
    }),
    refresh_min_interval_seconds: z.number().int().nonnegative(),
    cost: z
      .object({
        month: z
          .string()
          .openapi({ description: "The UTC month the figures are for (`YYYY-MM`)", example: "2026-11" }),
        month_to_date_usd: z.number().nonnegative().openapi({
          description:
            "Sum of the workers' `cost.month_to_date_usd` (workers with a known price), to the cent",
        }),
        saved_by_idle_stop_usd_month_to_date: z.number().nonnegative().openapi({
          description: "Sum of the workers' `cost.saved_by_idle_stop_usd_month_to_date`, to the cent",
        }),
        workers_with_unknown_price: count.openapi({
          description:
            "Workers left out of the sums because the price of their instance type is unknown (terminated workers that did not run this month are not counted)",
        }),
      })
      .openapi({
        description: "What the fleet cost this UTC month so far, on-demand prices from KV `cml_prices`",
      }),
  })
  .openapi("FleetSummary");

export const fleetSummaryRoute = createRoute({
  method: "get",
  path: "/summary",
  tags: ["workers"],
  security: [{ bearerAuth: [] }],
  summary:
    "Counts of the fleet (by status, idle, can connect), its month-to-date cost and idle-stop savings, and the collection interval of each source (for staleness)",
  responses: {
    200: { description: "The summary", content: { "application/json": { schema: fleetSummarySchema } } },
    ...authProblems,
  },
});
