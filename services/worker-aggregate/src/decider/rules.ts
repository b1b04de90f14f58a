import {
  ENDPOINT_TAG,
  INPUT_REJECTED_ERROR_TYPE,
  type ServiceStatus,
  type WorkerState,
} from "@cml-telemetry/contracts";
import { epochMs } from "./uptime.ts";

export { ENDPOINT_TAG };

/** EC2's name tag, which discovery reports as the instance's name. */
export const NAME_TAG = "Name";

/**
 * A worker is idle when it has had activity, runs no labs now, and the last activity is older than the threshold.
 * @example isIdle(state, new Date(), 30)
 */
export function isIdle(state: WorkerState, now: Date, thresholdMinutes: number): boolean {
  if (state.lastActivityAt === null || state.activeLabsCount !== 0) return false;
  return now.getTime() - epochMs(state.lastActivityAt) > thresholdMinutes * 60_000;
}

/** Users can connect when the instance runs, CML is available and the endpoint is known. */
export function canConnect(state: WorkerState): boolean {
  return state.status === "RUNNING" && state.serviceStatus === "AVAILABLE" && state.httpsEndpoint !== null;
}

/** Service status of a CML observation: ready → AVAILABLE, answering but not ready → STARTING. */
export function serviceStatusOfReady(ready: boolean): ServiceStatus {
  return ready ? "AVAILABLE" : "STARTING";
}

/**
 * Service status implied by a CML read failure (`errorType` of `cml.failed`): the controller answers but cannot be
 * used as configured (credentials, answers, a certificate that is not the pinned one) → ERROR; null when the
 * failure says nothing about the service (an observation the aggregate could not store).
 */
export function serviceStatusOfCmlFailure(errorType: string): ServiceStatus | null {
  switch (errorType) {
    case INPUT_REJECTED_ERROR_TYPE:
      return null;
    case "CmlBooting":
      return "STARTING";
    case "CmlAuthFailed":
    case "CmlBadResponse":
    case "response_too_large":
    case "tls_fingerprint_changed":
      return "ERROR";
    default:
      return "UNAVAILABLE";
  }
}

/** Whether a CML failure means the application is not up (so readiness, and uptime, start over). */
export function cmlFailureResetsReadiness(errorType: string): boolean {
  return errorType !== "CmlAuthFailed" && errorType !== INPUT_REJECTED_ERROR_TYPE;
}

/** The endpoint discovery derives: the `cml:endpoint` tag, else `https://<publicIp>`, else none. */
export function discoveredEndpoint(
  tags: Readonly<Record<string, string>>,
  publicIp: string | null,
): { endpoint: string | null; pinned: boolean } {
  const tagged = tags[ENDPOINT_TAG];
  if (tagged !== undefined && tagged !== "") return { endpoint: tagged, pinned: true };
  return { endpoint: publicIp === null ? null : `https://${publicIp}`, pinned: false };
}

/** Whether the current endpoint was fixed by a registration (pinned, but not by the tag). */
export function isPinnedByRegistration(state: WorkerState): boolean {
  return state.endpointPinned && state.tags[ENDPOINT_TAG] === undefined;
}
