import { WORKER_STATUSES, type WorkerStatus } from "@cml-telemetry/contracts";
import type { Meter } from "@opentelemetry/api";
import type { PriceBook, WorkerReadModel } from "../ports.ts";
import { fleetCostOf } from "../workers/fleet-cost.ts";
import { cmlUptimeSeconds } from "../workers/worker-rules.ts";

/**
 * Numeric code of a worker status in `cml_worker_status`: the index in the contract's status list
 * (PENDING=0, RUNNING=1, STOPPING=2, STOPPED=3, SHUTTING_DOWN=4, TERMINATED=5, UNKNOWN=6).
 */
export function workerStatusCode(status: WorkerStatus): number {
  return WORKER_STATUSES.indexOf(status);
}

/**
 * Registers the worker gauges of DESIGN §7 and §11 as observable gauges read from the cache at scrape time, one
 * series per worker labelled `worker_id` and `region`, each only while it means something: a terminated (or
 * removed) worker has no series at all; a worker that is not RUNNING has only `cml_worker_status` and, while its
 * price is known, `cml_worker_cost_hourly_usd` (its last CPU, memory and labs are history, and it has no uptime); a
 * gauge never collected is omitted. `cml_fleet_month_to_date_usd` (no labels) sums the month-to-date cost of the
 * workers with a known price. Use a meter whose reader keeps no series between scrapes (`workerMeter`), or series of
 * gone workers stay.
 */
export function registerWorkerGauges(
  meter: Meter,
  readModel: WorkerReadModel,
  prices: PriceBook,
  now: () => Date = () => new Date(),
): void {
  const codes = WORKER_STATUSES.map((status, code) => `${status}=${code}`).join(", ");
  const status = meter.createObservableGauge("cml_worker_status", {
    description: `Worker status as a number (${codes})`,
  });
  const cpu = meter.createObservableGauge("cml_worker_cpu_utilization", {
    description: "CloudWatch CPUUtilization of the worker, percent",
  });
  const memory = meter.createObservableGauge("cml_worker_memory_utilization", {
    description: "CloudWatch agent mem_used_percent of the worker, percent",
  });
  const labs = meter.createObservableGauge("cml_worker_labs_count", {
    description: "Labs defined on the worker's CML controller",
  });
  const uptime = meter.createObservableGauge("cml_worker_uptime_seconds", {
    description: "Seconds since CML became ready on the worker (absent while not ready or not running)",
  });
  const hourlyCost = meter.createObservableGauge("cml_worker_cost_hourly_usd", {
    description:
      "On-demand hourly price of the worker's instance type in its region, USD (absent while unknown)",
  });
  const fleetMonthToDate = meter.createObservableGauge("cml_fleet_month_to_date_usd", {
    description:
      "What the fleet's workers with a known price cost this UTC month so far, USD (see GET /api/v1/fleet/summary for the workers without one)",
  });
  meter.addBatchObservableCallback(
    (result) => {
      const at = now();
      result.observe(fleetMonthToDate, fleetCostOf(readModel.all(), prices, at).monthToDateUsd);
      for (const worker of readModel.all()) {
        if (worker.status === "TERMINATED" || worker.terminatedAt !== null) continue;
        const labels = { worker_id: worker.id, region: worker.region };
        result.observe(status, workerStatusCode(worker.status), labels);
        const hourly = prices.hourlyUsd(worker.region, worker.instanceType);
        if (hourly !== null) result.observe(hourlyCost, hourly, labels);
        if (worker.status !== "RUNNING") continue;
        const cw = worker.cloudwatchMetrics;
        if (cw.cpuUtilization !== null) result.observe(cpu, cw.cpuUtilization, labels);
        if (cw.memoryUtilization !== null) result.observe(memory, cw.memoryUtilization, labels);
        if (worker.cmlMetrics.labsCount !== null) result.observe(labs, worker.cmlMetrics.labsCount, labels);
        const seconds = cmlUptimeSeconds(worker, at);
        if (seconds !== null) result.observe(uptime, seconds, labels);
      }
    },
    [status, cpu, memory, labs, uptime, hourlyCost, fleetMonthToDate],
  );
}
