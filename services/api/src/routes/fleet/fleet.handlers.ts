import { type Source, WORKER_STATUSES, type WorkerStatus } from "@cml-telemetry/contracts";
import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app/create-router.ts";
import type { PriceBook, WorkerReadModel } from "../../ports.ts";
import { fleetCostOf } from "../../workers/fleet-cost.ts";
import { canConnect, isIdle } from "../../workers/worker-rules.ts";
import type { fleetSummaryRoute } from "./fleet.routes.ts";

/** A source is stale when its last success is older than this many collection intervals (the dashboard's rule). */
export const STALE_AFTER_INTERVALS = 3;

/** What the fleet handlers need. */
export interface FleetDeps {
  readModel: WorkerReadModel;
  prices: PriceBook;
  now: () => Date;
  idleThresholdMinutes: number;
  collectIntervalsSeconds: Readonly<Record<Source, number>>;
  refreshMinIntervalSeconds: number;
}

/** Handlers of the fleet resource. */
export function createFleetHandlers(deps: FleetDeps) {
  const summary: RouteHandler<typeof fleetSummaryRoute, AppEnv> = (c) => {
    const at = deps.now();
    const byStatus = Object.fromEntries(WORKER_STATUSES.map((status) => [status, 0])) as Record<
      WorkerStatus,
      number
    >;
    let total = 0;
    let idle = 0;
    let connectable = 0;
    for (const worker of deps.readModel.all()) {
      total += 1;
      byStatus[worker.status] += 1;
      if (isIdle(worker, at, deps.idleThresholdMinutes)) idle += 1;
      if (canConnect(worker)) connectable += 1;
    }
    const cost = fleetCostOf(deps.readModel.all(), deps.prices, at);
    return c.json(
      {
        workers: { total, by_status: byStatus, idle, can_connect: connectable },
        collection_intervals_seconds: { ...deps.collectIntervalsSeconds },
        stale_after_intervals: STALE_AFTER_INTERVALS,
        refresh_min_interval_seconds: deps.refreshMinIntervalSeconds,
        cost: {
          month: cost.month,
          month_to_date_usd: cost.monthToDateUsd,
          saved_by_idle_stop_usd_month_to_date: cost.savedByIdleStopUsdMonthToDate,
          workers_with_unknown_price: cost.workersWithUnknownPrice,
        },
      },
      200,
    );
  };
  return { summary };
}
