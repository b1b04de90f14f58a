import { blankWorkerState, type WorkerState } from "@cml-telemetry/contracts";

/** Timestamp used for audit fields before the worker is registered (version 0 = does not exist yet). */
export const NEVER = "1970-01-01T00:00:00.000Z";

/**
 * State of a worker nothing is known about yet (version 0). `registered` fills identity and audit fields.
 * @example const state = initialState(workerIdOf("us-east-1", "i-0123456789abcdef0"));
 */
export function initialState(workerId: string): WorkerState {
  return blankWorkerState({ id: workerId, region: "", instanceId: "", at: NEVER, createdBy: "" });
}

/** Whether the worker exists (was registered by discovery or a registration). */
export function isKnown(state: WorkerState): boolean {
  return state.version > 0;
}
