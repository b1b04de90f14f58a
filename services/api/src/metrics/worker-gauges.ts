import { WORKER_STATUSES, type WorkerStatus } from "@cml-telemetry/contracts";
import type { Meter } from "@opentelemetry/api";
import type { WorkerReadModel } from "../ports.ts";
import { cmlUptimeSeconds } from "../workers/worker-rules.ts";

/**
 * Numeric code of a worker status in `cml_worker_status`: the index in the contract's status list
 * (PENDING=0, RUNNING=1, STOPPING=2, STOPPED=3, SHUTTING_DOWN=4, TERMINATED=5, UNKNOWN=6).
 */
export function workerStatusCode(status: WorkerStatus): number {
  return WORKER_STATUSES.indexOf(status);
}

/**
 * Registers the worker gauges of DESIGN §7 as observable gauges read from the cache at scrape time, one series
 * per worker labelled `worker_id` and `region`, each only while it means something: a terminated (or removed)
 * worker has no series at all; a worker that is not RUNNING has only `cml_worker_status` (its last CPU, memory
 * and labs are history, and it has no uptime); a gauge never collected is omitted. Use a meter whose reader keeps
 * no series between scrapes (`workerMeter`), or series of gone workers stay.
 */
export function registerWorkerGauges(
  meter: Meter,
  readModel: WorkerReadModel,
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
  meter.addBatchObservableCallback(
    (result) => {
      const at = now();
      for (const worker of readModel.all()) {
        if (worker.status === "TERMINATED" || worker.terminatedAt !== null) continue;
        const labels = { worker_id: worker.id, region: worker.region };
        result.observe(status, workerStatusCode(worker.status), labels);
        if (worker.status !== "RUNNING") continue;
        const cw = worker.cloudwatchMetrics;
        if (cw.cpuUtilization !== null) result.observe(cpu, cw.cpuUtilization, labels);
        if (cw.memoryUtilization !== null) result.observe(memory, cw.memoryUtilization, labels);
        if (worker.cmlMetrics.labsCount !== null) result.observe(labs, worker.cmlMetrics.labsCount, labels);
        const seconds = cmlUptimeSeconds(worker, at);
        if (seconds !== null) result.observe(uptime, seconds, labels);
      }
    },
    [status, cpu, memory, labs, uptime],
  );
}
