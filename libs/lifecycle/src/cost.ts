import type { WorkerState } from "@cml-telemetry/contracts";
import { utcMonthOf, utcMonthStartMs } from "./usage.ts";

/** What a worker cost this UTC month so far, and what the idle policy saved. Money is null when the price is unknown. */
export interface WorkerCost {
  readonly hourlyUsd: number | null;
  readonly runningHoursMonthToDate: number;
  readonly monthToDateUsd: number | null;
  readonly savedByIdleStopUsdMonthToDate: number | null;
}

/** Hours of the open interval from `since` to `now` that fall in the UTC month of `now`. */
function openHours(since: string | null, now: Date, monthStart: number): number {
  if (since === null) return 0;
  return Math.max(0, now.getTime() - Math.max(Date.parse(since), monthStart)) / 3_600_000;
}

/**
 * Month-to-date cost of a worker at `now`: the closed running intervals of the month (`usage`) plus the open one
 * (`runningSince` to now), times the on-demand hourly price; savings likewise from `idleStopSavedSeconds` and the open
 * `idleStoppedAt` interval. Accumulators of another month count as zero. Unrounded (see {@link roundCost}).
 * @example costOf(state, 3.9641, new Date())
 */
export function costOf(
  state: Pick<WorkerState, "usage" | "runningSince" | "idleStoppedAt">,
  hourlyUsd: number | null,
  now: Date,
): WorkerCost {
  const monthStart = utcMonthStartMs(now);
  const usage = state.usage?.month === utcMonthOf(now) ? state.usage : null;
  const runningHours = (usage?.runningSeconds ?? 0) / 3600 + openHours(state.runningSince, now, monthStart);
  const savedHours =
    (usage?.idleStopSavedSeconds ?? 0) / 3600 + openHours(state.idleStoppedAt, now, monthStart);
  return {
    hourlyUsd,
    runningHoursMonthToDate: runningHours,
    monthToDateUsd: hourlyUsd === null ? null : runningHours * hourlyUsd,
    savedByIdleStopUsdMonthToDate: hourlyUsd === null ? null : savedHours * hourlyUsd,
  };
}

const round = (value: number, digits: number): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** A cost as shown: hours to 0.01, money to the cent, the hourly price as AWS lists it (to 0.0001). */
export function roundCost(cost: WorkerCost): WorkerCost {
  return {
    hourlyUsd: cost.hourlyUsd === null ? null : round(cost.hourlyUsd, 4),
    runningHoursMonthToDate: round(cost.runningHoursMonthToDate, 2),
    monthToDateUsd: cost.monthToDateUsd === null ? null : round(cost.monthToDateUsd, 2),
    savedByIdleStopUsdMonthToDate:
      cost.savedByIdleStopUsdMonthToDate === null ? null : round(cost.savedByIdleStopUsdMonthToDate, 2),
  };
}
