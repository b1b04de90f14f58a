import {
  IDLE_POLICY_REQUESTER,
  type IdleStopMode,
  type IdleStopSkipReason,
  type WorkerState,
} from "@cml-telemetry/contracts";
import { evaluateIdleStop, type IdleStopPolicyConfig } from "@cml-telemetry/lifecycle";

/**
 * Where a worker stands with the idle auto-stop policy, as the API shows it:
 * - `off`: `IDLE_STOP_MODE=off`, the policy does nothing;
 * - `not-idle`: nothing to decide (not idle past the threshold, or not RUNNING);
 * - `will-stop`: idle and every condition holds: the next policy pass asks to stop it;
 * - `skipped`: idle, but left running for `skip_reason`;
 * - `stop-requested`: the policy asked to stop it in this idle period (in dry-run: recorded the intent), or it is
 *   stopping/stopped by the policy.
 */
export const IDLE_POLICY_VIEW_STATES = ["off", "not-idle", "will-stop", "skipped", "stop-requested"] as const;
export type IdlePolicyViewState = (typeof IDLE_POLICY_VIEW_STATES)[number];

/** The `idle_policy` block of the worker view. */
export interface IdlePolicyView {
  mode: IdleStopMode;
  state: IdlePolicyViewState;
  skip_reason: IdleStopSkipReason | null;
}

/** Whether the policy already asked, in the current mode, to stop the worker in the idle period that began at `idleSince`. */
function stopAskedSince(state: WorkerState, idleSince: string, mode: IdleStopMode): boolean {
  const last = state.lastLifecycleAction;
  return (
    last !== null &&
    last.action === "stop" &&
    last.requestedBy === IDLE_POLICY_REQUESTER &&
    last.reason === "idle-policy" &&
    last.dryRun === (mode === "dry-run") &&
    Date.parse(last.at) >= Date.parse(idleSince)
  );
}

/**
 * The idle policy's view of a worker at `now`, decided by the same pure function worker-lifecycle acts on
 * (`evaluateIdleStop`) with the API's copy of the policy configuration.
 */
export function idlePolicyView(state: WorkerState, now: Date, config: IdleStopPolicyConfig): IdlePolicyView {
  const view = (
    viewState: IdlePolicyViewState,
    skipReason: IdleStopSkipReason | null = null,
  ): IdlePolicyView => ({
    mode: config.mode,
    state: viewState,
    skip_reason: skipReason,
  });
  if (config.mode === "off") return view("off");
  const decision = evaluateIdleStop(state, now, config);
  switch (decision.kind) {
    case "skip":
      return view("skipped", decision.reason);
    case "stop":
      return view(stopAskedSince(state, decision.idleSince, config.mode) ? "stop-requested" : "will-stop");
    case "none": {
      const stoppedByPolicy =
        state.idleStoppedAt !== null && (state.status === "STOPPING" || state.status === "STOPPED");
      return view(stoppedByPolicy ? "stop-requested" : "not-idle");
    }
    default: {
      const unknown: never = decision;
      throw new TypeError(`unknown idle-stop decision ${JSON.stringify(unknown)}`);
    }
  }
}
