import {
  IDLE_STOP_EXEMPT_TAG,
  type IdleStopMode,
  type IdleStopSkipReason,
  type WorkerState,
} from "@cml-telemetry/contracts";
import { idleSinceOf } from "./idle-period.ts";
import { inMaintenanceWindow, type MaintenanceWindow } from "./maintenance-windows.ts";

/** What the idle auto-stop policy is configured with (`IDLE_STOP_*`, `IDLE_THRESHOLD_MINUTES`, the CML interval). */
export interface IdleStopPolicyConfig {
  readonly mode: IdleStopMode;
  /** `IDLE_THRESHOLD_MINUTES`: minutes without running labs after which a worker is idle (§5). */
  readonly thresholdMinutes: number;
  /** CML data synced longer ago than this is stale: two CML collection intervals. */
  readonly cmlFreshSeconds: number;
  /** `IDLE_STOP_SNOOZE_MINUTES`: how long an operator's start keeps the policy away. */
  readonly snoozeMinutes: number;
  /** `IDLE_STOP_WINDOWS`: when the policy never stops anything. */
  readonly windows: readonly MaintenanceWindow[];
}

/** The policy's decision for one worker: nothing (not idle, not running, mode off), stop it, or leave it and why. */
export type IdleStopDecision =
  | { readonly kind: "none" }
  | { readonly kind: "stop"; readonly idleSince: string; readonly idleMinutes: number }
  | {
      readonly kind: "skip";
      readonly reason: IdleStopSkipReason;
      readonly idleSince: string;
      readonly idleMinutes: number;
    };

const NONE = { kind: "none" } as const;

/** Two CML collection intervals, the freshness DESIGN §11 asks of the CML data a stop relies on. */
export function cmlFreshSecondsOf(cmlIntervalSeconds: number): number {
  return 2 * cmlIntervalSeconds;
}

/** Whether the worker carries the exemption tag `cml:idle-stop=off`. */
export function isIdleStopExempt(state: Pick<WorkerState, "tags">): boolean {
  return state.tags[IDLE_STOP_EXEMPT_TAG.key]?.trim().toLowerCase() === IDLE_STOP_EXEMPT_TAG.value;
}

/** Whether an operator started (or asked to start) the worker less than `snoozeMinutes` ago. */
export function isSnoozed(state: Pick<WorkerState, "lastLifecycleAction">, now: Date, snoozeMinutes: number) {
  const last = state.lastLifecycleAction;
  if (last === null || last.action !== "start" || last.reason !== "operator" || last.dryRun) return false;
  if (last.outcome !== "accepted" && last.outcome !== "already") return false;
  return now.getTime() - Date.parse(last.at) < snoozeMinutes * 60_000;
}

/**
 * Whether the CML data of the worker can be trusted to say nothing runs: synced within `freshSeconds`, with no
 * failure since, the service AVAILABLE and ready, and the labs read (not just the unauthenticated probe).
 */
export function hasFreshCmlData(
  state: Pick<WorkerState, "serviceStatus" | "cmlMetrics">,
  now: Date,
  freshSeconds: number,
): boolean {
  const cml = state.cmlMetrics;
  if (state.serviceStatus !== "AVAILABLE" || cml.ready !== true || cml.runningLabsCount === null)
    return false;
  if (cml.lastSyncedAt === null) return false;
  const synced = Date.parse(cml.lastSyncedAt);
  if (now.getTime() - synced > freshSeconds * 1000) return false;
  return cml.lastError === null || Date.parse(cml.lastError.at) <= synced;
}

/**
 * The idle auto-stop policy (DESIGN §11), pure. A RUNNING worker that has been idle for longer than the threshold
 * (since its last activity or, if later, since it last started) is stopped unless it is exempt (`exempt`), an operator
 * started it within the snooze (`snoozed`), its CML data is not fresh and available (`cml-unknown`), CML shows running
 * labs or running nodes (`labs-running`), or a maintenance window is open (`maintenance-window`) — checked in that
 * order, so the reason is the most specific one. Mode `off` decides nothing.
 * @example evaluateIdleStop(state, new Date(), { mode: "on", thresholdMinutes: 30, cmlFreshSeconds: 120, snoozeMinutes: 60, windows: [] })
 */
export function evaluateIdleStop(
  state: WorkerState,
  now: Date,
  config: IdleStopPolicyConfig,
): IdleStopDecision {
  if (config.mode === "off" || state.status !== "RUNNING" || state.terminatedAt !== null) return NONE;
  const idleSince = idleSinceOf(state);
  if (idleSince === null || state.activeLabsCount !== 0) return NONE;
  const idleMs = now.getTime() - Date.parse(idleSince);
  if (idleMs <= config.thresholdMinutes * 60_000) return NONE;
  const idleMinutes = Math.floor(idleMs / 60_000);
  const skip = (reason: IdleStopSkipReason): IdleStopDecision => ({
    kind: "skip",
    reason,
    idleSince,
    idleMinutes,
  });
  if (isIdleStopExempt(state)) return skip("exempt");
  if (isSnoozed(state, now, config.snoozeMinutes)) return skip("snoozed");
  if (!hasFreshCmlData(state, now, config.cmlFreshSeconds)) return skip("cml-unknown");
  const cml = state.cmlMetrics;
  if ((cml.runningLabsCount ?? 0) > 0 || (cml.runningNodes ?? 0) > 0) return skip("labs-running");
  if (inMaintenanceWindow(config.windows, now)) return skip("maintenance-window");
  return { kind: "stop", idleSince, idleMinutes };
}
