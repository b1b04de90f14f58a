import type { WorkerState } from "@cml-telemetry/contracts";

/** Period of basic monitoring (EC2 publishes 5-minute datapoints). */
export const BASIC_PERIOD_SECONDS = 300;
/** Period of detailed monitoring (1-minute datapoints). */
export const DETAILED_PERIOD_SECONDS = 60;

/** CloudWatch is read only for RUNNING workers (DESIGN §4 gating). */
export function isCloudWatchEligible(worker: WorkerState | undefined): boolean {
  return worker?.status === "RUNNING";
}

/** The period a worker's metrics are queried with: 60 s with detailed monitoring, else 300 s. */
export function periodOf(worker: Pick<WorkerState, "detailedMonitoring"> | undefined): number {
  return worker?.detailedMonitoring === true ? DETAILED_PERIOD_SECONDS : BASIC_PERIOD_SECONDS;
}

/**
 * Whether a RUNNING worker is due in a slot: every slot with detailed monitoring, otherwise only in the slot that
 * contains a 300-second boundary, so each metric is requested (and billed) once per datapoint it can have. A worker
 * never collected yet is due in any slot.
 */
export function isCloudWatchDue(worker: WorkerState, slot: number, intervalSeconds: number): boolean {
  if (!isCloudWatchEligible(worker)) return false;
  if (worker.cloudwatchMetrics.lastCollectedAt === null) return true;
  const period = periodOf(worker);
  if (period <= intervalSeconds) return true;
  return Math.floor(slot / period) !== Math.floor((slot - intervalSeconds) / period);
}
