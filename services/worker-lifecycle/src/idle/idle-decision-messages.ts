import {
  IDLE_POLICY_REQUESTER,
  type IdlePolicyCommand,
  type IdleStopMode,
  type LifecycleCommand,
  type WorkerState,
} from "@cml-telemetry/contracts";
import { type IdleStopDecision, idleStopRequestId } from "@cml-telemetry/lifecycle";

/** What the idle policy sends for one worker: a stop request to worker-lifecycle, or a skip for the aggregate. */
export type IdleDecisionMessage =
  | { readonly kind: "stop"; readonly command: LifecycleCommand }
  | { readonly kind: "skip"; readonly command: IdlePolicyCommand; readonly id: string };

/** CloudEvent id (and `Nats-Msg-Id`) of a skip: one per worker, idle period and reason, whichever replica sends it. */
export function idlePolicySkipId(workerId: string, idleSince: string, reason: string): string {
  return `idle-policy:${workerId}:${idleSince}:${reason}`;
}

/**
 * The message a decision of the idle policy calls for, or none: nothing to do, a stop already asked for in this idle
 * period and mode (the state's last lifecycle request has its id), or a skip the state already records for this
 * period (`idle_stop_skipped` is emitted once per period).
 */
export function idleDecisionMessage(
  state: WorkerState,
  decision: IdleStopDecision,
  mode: IdleStopMode,
  now: Date,
): IdleDecisionMessage | undefined {
  switch (decision.kind) {
    case "none":
      return undefined;
    case "stop": {
      const requestId = idleStopRequestId(state.id, decision.idleSince, mode);
      if (state.lastLifecycleAction?.requestId === requestId) return undefined;
      return {
        kind: "stop",
        command: {
          workerId: state.id,
          region: state.region,
          instanceId: state.instanceId,
          action: "stop",
          requestedBy: IDLE_POLICY_REQUESTER,
          reason: "idle-policy",
          dryRun: mode === "dry-run",
          requestId,
        },
      };
    }
    case "skip":
      if (state.idleStopSkipped !== null) return undefined;
      return {
        kind: "skip",
        id: idlePolicySkipId(state.id, decision.idleSince, decision.reason),
        command: {
          workerId: state.id,
          region: state.region,
          instanceId: state.instanceId,
          decision: "skip",
          reason: decision.reason,
          mode,
          idleSince: decision.idleSince,
          evaluatedAt: now.toISOString(),
        },
      };
    default: {
      const unhandled: never = decision;
      throw new TypeError(`unhandled idle decision ${JSON.stringify(unhandled)}`);
    }
  }
}
