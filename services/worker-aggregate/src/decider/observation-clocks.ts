import type { WorkerState } from "@cml-telemetry/contracts";
import { isNewer } from "./uptime.ts";

/**
 * Whether a status observation (a discovery or a status check) observed at `observedAt` may set the status: it must be
 * newer than every status observation taken so far, of either kind (`statusObservedAt`).
 */
export function takesStatusObservation(state: WorkerState, observedAt: string): boolean {
  return isNewer(observedAt, state.statusObservedAt);
}

/**
 * Whether a CML or CloudWatch input observed at `observedAt` describes the worker's current run: the worker is RUNNING
 * and the observation is not from before it became so. Those sources are only collected from RUNNING workers, so
 * anything else is a straggler from an earlier run (it would bring back readiness, uptime or activity of a stopped
 * instance).
 */
export function belongsToCurrentRun(state: WorkerState, observedAt: string): boolean {
  return (
    state.status === "RUNNING" && (state.runningSince === null || !isNewer(state.runningSince, observedAt))
  );
}
