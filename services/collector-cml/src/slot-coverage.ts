import type { WorkerState } from "@cml-telemetry/contracts";

/**
 * Whether the worker's CML source was already observed in (or after) the scheduled slot starting at `slot` (epoch
 * seconds): its state, shared by every replica, holds an observation at or after the slot's start. A scheduled
 * command for such a slot is one published again after JetStream's duplicate window (2 minutes) let it through —
 * a replica starting mid-slot, or an interval longer than the window — and is acknowledged without a CML call.
 */
export function isSlotCovered(state: WorkerState, slot: number): boolean {
  const observedAt = state.cmlMetrics.lastObservedAt;
  return observedAt !== null && Date.parse(observedAt) >= slot * 1000;
}
