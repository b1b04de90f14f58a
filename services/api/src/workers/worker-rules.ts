import type { Source, WorkerState } from "@cml-telemetry/contracts";

/** Default `IDLE_THRESHOLD_MINUTES` (DESIGN §5). */
export const DEFAULT_IDLE_THRESHOLD_MINUTES = 30;

/**
 * DESIGN §5: idle = `lastActivityAt` set, no active labs, and more than `thresholdMinutes` since the last activity.
 */
export function isIdle(
  state: Pick<WorkerState, "lastActivityAt" | "activeLabsCount">,
  now: Date,
  thresholdMinutes: number,
): boolean {
  if (state.lastActivityAt === null || state.activeLabsCount !== 0) return false;
  return now.getTime() - Date.parse(state.lastActivityAt) > thresholdMinutes * 60_000;
}

/** DESIGN §5: a client can connect when the instance is RUNNING, CML is AVAILABLE and an endpoint is known. */
export function canConnect(state: Pick<WorkerState, "status" | "serviceStatus" | "httpsEndpoint">): boolean {
  return state.status === "RUNNING" && state.serviceStatus === "AVAILABLE" && state.httpsEndpoint !== null;
}

/**
 * CML uptime (CML 2.x reports none): seconds since `cmlReadySince` while the worker is RUNNING and CML ready, else
 * null (the aggregate clears readiness when a worker leaves RUNNING; a record written before it did may still hold it).
 */
export function cmlUptimeSeconds(
  state: Pick<WorkerState, "status" | "cmlReadySince" | "cmlMetrics">,
  now: Date,
): number | null {
  if (state.status !== "RUNNING" || state.cmlMetrics.ready !== true || state.cmlReadySince === null)
    return null;
  return Math.max(0, Math.floor((now.getTime() - Date.parse(state.cmlReadySince)) / 1000));
}

/**
 * Sources a refresh collects (DESIGN §4 gating): ec2 always; cloudwatch when RUNNING; cml when RUNNING with an endpoint.
 */
export function applicableSources(state: Pick<WorkerState, "status" | "httpsEndpoint">): Source[] {
  const sources: Source[] = ["ec2"];
  if (state.status === "RUNNING") {
    sources.push("cloudwatch");
    if (state.httpsEndpoint !== null) sources.push("cml");
  }
  return sources;
}
