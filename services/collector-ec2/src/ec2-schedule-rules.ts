import type { WorkerState } from "@cml-telemetry/contracts";

/** EC2 status is read for every worker whose instance is not known to be terminated. */
export function isEc2Eligible(worker: WorkerState): boolean {
  return worker.status !== "TERMINATED";
}

/** Every eligible worker is due in every EC2 slot. */
export function isEc2Due(worker: WorkerState, _slot: number): boolean {
  return isEc2Eligible(worker);
}
