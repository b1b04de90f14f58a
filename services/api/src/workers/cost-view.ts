import type { WorkerState } from "@cml-telemetry/contracts";
import { costOf, roundCost } from "@cml-telemetry/lifecycle";

/** The `cost` block of the worker view: this UTC month so far; money null while the price is unknown. */
export interface CostView {
  hourly_usd: number | null;
  running_hours_month_to_date: number;
  month_to_date_usd: number | null;
  saved_by_idle_stop_usd_month_to_date: number | null;
}

/**
 * What the worker cost this UTC month up to `now` at `hourlyUsd` (on-demand, from KV `cml_prices`; null = unknown),
 * and what the idle policy saved: closed intervals from its `usage`, the open ones up to now. Hours to 0.01, money to
 * the cent.
 */
export function costView(
  state: Pick<WorkerState, "usage" | "runningSince" | "idleStoppedAt">,
  hourlyUsd: number | null,
  now: Date,
): CostView {
  const cost = roundCost(costOf(state, hourlyUsd, now));
  return {
    hourly_usd: cost.hourlyUsd,
    running_hours_month_to_date: cost.runningHoursMonthToDate,
    month_to_date_usd: cost.monthToDateUsd,
    saved_by_idle_stop_usd_month_to_date: cost.savedByIdleStopUsdMonthToDate,
  };
}
