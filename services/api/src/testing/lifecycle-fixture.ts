import {
  LIFECYCLE_EVENT_NAMES,
  type LifecycleAction,
  type LifecycleOutcome,
  type WorkerState,
  type WorkerStatus,
} from "@cml-telemetry/contracts";
import type { FakeEventFeed } from "./fake-event-feed.ts";

/** What worker-lifecycle reported for a request, as the aggregate records it. */
export interface LifecycleReport {
  action: LifecycleAction;
  requestId: string;
  requestedBy: string;
  outcome: LifecycleOutcome;
  previousState: string | null;
  currentState: string | null;
  reason?: "operator" | "idle-policy";
  dryRun?: boolean;
  errorType?: string | null;
  errorMessage?: string | null;
  at: string;
}

/** The fields the state's `lastLifecycleAction` and the `<action>_requested` event share. */
function requestFields(report: LifecycleReport) {
  return {
    requestId: report.requestId,
    requestedBy: report.requestedBy,
    reason: report.reason ?? "operator",
    dryRun: report.dryRun ?? false,
    outcome: report.outcome,
  };
}

/**
 * The worker after the aggregate applied a lifecycle outcome (version + 1): `lastLifecycleAction`, and `status` when
 * given (an accepted action's transitional state).
 */
export function afterLifecycleOutcome(
  state: WorkerState,
  report: LifecycleReport,
  status: WorkerStatus = state.status,
): WorkerState {
  return {
    ...state,
    version: state.version + 1,
    updatedAt: report.at,
    status,
    stoppedBy:
      report.action === "stop" && report.outcome === "accepted" ? report.requestedBy : state.stoppedBy,
    lastLifecycleAction: { action: report.action, ...requestFields(report), at: report.at },
  };
}

/** The data of the `<action>_requested` domain event of `report` for the worker at `version`, as the aggregate emits it. */
export function lifecycleEventData(workerId: string, version: number, report: LifecycleReport) {
  return {
    workerId,
    version,
    observedAt: report.at,
    ...requestFields(report),
    previousState: report.previousState,
    currentState: report.currentState,
    errorType: report.errorType ?? null,
    errorMessage: report.errorMessage ?? null,
  };
}

/** Appends the `<action>_requested` domain event of `report` to the fake feed, correlated by its request id. */
export function appendLifecycleEvent(
  feed: FakeEventFeed,
  workerId: string,
  version: number,
  report: LifecycleReport,
): void {
  feed.append(LIFECYCLE_EVENT_NAMES[report.action], lifecycleEventData(workerId, version, report), {
    correlationId: report.requestId,
  });
}
