import type { WorkerState } from "@cml-telemetry/contracts";
import { costOf, utcMonthOf } from "@cml-telemetry/lifecycle";
import type { PriceBook } from "../ports.ts";

/** The fleet's cost this UTC month so far, over the workers whose price is known. */
export interface FleetCost {
  /** `YYYY-MM`, UTC. */
  readonly month: string;
  /** Sum of the workers' month-to-date cost, USD to the cent. */
  readonly monthToDateUsd: number;
  /** Sum of what the idle policy saved this month, USD to the cent. */
  readonly savedByIdleStopUsdMonthToDate: number;
  /**
   * Workers left out of the sums because their price is unknown: every such worker but a terminated one that did
   * not run this month (it costs nothing any more).
   */
  readonly workersWithUnknownPrice: number;
}

const cents = (usd: number) => Math.round(usd * 100) / 100;

/** Month-to-date cost and idle-stop savings of the fleet at `now`, from the same figures as each worker's `cost`. */
export function fleetCostOf(workers: Iterable<WorkerState>, prices: PriceBook, now: Date): FleetCost {
  let monthToDate = 0;
  let saved = 0;
  let unknown = 0;
  for (const worker of workers) {
    const cost = costOf(worker, prices.hourlyUsd(worker.region, worker.instanceType), now);
    if (cost.monthToDateUsd === null || cost.savedByIdleStopUsdMonthToDate === null) {
      const gone = worker.status === "TERMINATED" || worker.terminatedAt !== null;
      if (!gone || cost.runningHoursMonthToDate > 0) unknown += 1;
      continue;
    }
    monthToDate += cost.monthToDateUsd;
    saved += cost.savedByIdleStopUsdMonthToDate;
  }
  return {
    month: utcMonthOf(now),
    monthToDateUsd: cents(monthToDate),
    savedByIdleStopUsdMonthToDate: cents(saved),
    workersWithUnknownPrice: unknown,
  };
}
