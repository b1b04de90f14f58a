import type { WorkerState } from "@cml-telemetry/contracts";
import { v5 as uuidv5 } from "uuid";

/**
 * Start of the worker's current idle period, as the idle policy sees it: the later of its last activity (labs
 * running) and the start of its current run, so a worker just started again is not idle because of how long it sat
 * stopped. Null when it never had activity (§5: such a worker is never idle).
 */
export function idleSinceOf(state: Pick<WorkerState, "lastActivityAt" | "runningSince">): string | null {
  const { lastActivityAt, runningSince } = state;
  if (lastActivityAt === null) return null;
  if (runningSince === null) return lastActivityAt;
  return Date.parse(runningSince) > Date.parse(lastActivityAt) ? runningSince : lastActivityAt;
}

/** Namespace of idle-policy request ids (a fixed UUID of this product). */
export const IDLE_STOP_REQUEST_NAMESPACE = "c7e4a9d2-3b6f-4e18-a5c0-9d2e7f1b4a63";

/**
 * Request id of the idle policy's stop of one worker for one idle period and mode: UUID v5 of
 * `<workerId>/<idleSince>/<mode>`. Every replica and every pass computes the same id, so the stop is asked for once
 * per period (and executed once); a dry-run request does not use up the real one when the mode changes to `on`.
 */
export function idleStopRequestId(workerId: string, idleSince: string, mode: string): string {
  return uuidv5(`${workerId}/${idleSince}/${mode}`, IDLE_STOP_REQUEST_NAMESPACE);
}
