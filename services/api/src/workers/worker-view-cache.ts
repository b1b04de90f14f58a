import type { WorkerState } from "@cml-telemetry/contracts";
import {
  toWorkerBaseView,
  toWorkerLifecycleView,
  type WorkerLifecycleView,
  type WorkerViewContext,
} from "./worker-view.ts";

interface CachedView {
  /** The JSON of the base view without its closing brace. */
  head: string;
  /** Epoch ms from which a time-dependent field of the base view (`uptime_seconds`, `is_idle`) may differ. */
  validUntil: number;
  /** The last `idle_policy` and `cost` fields served with this head, and the whole view they made. */
  tail: string;
  full: string;
}

/**
 * Serialised worker views. The base view (everything but `idle_policy` and `cost`) is reused while the state object
 * is the same (the cache replaces it on every KV update) and none of its time-dependent fields can have changed;
 * `idle_policy` and `cost`, which move with the clock, the prices and the policy windows, are computed on every read.
 * The answer is byte-identical to serialising `toWorkerView` anew.
 */
export function createWorkerViewCache(context: WorkerViewContext) {
  const cache = new WeakMap<WorkerState, CachedView>();
  const idleThresholdMinutes = context.idlePolicy.thresholdMinutes;

  function validUntil(state: WorkerState, now: number): number {
    let until = Number.POSITIVE_INFINITY;
    if (state.cmlMetrics.ready === true && state.cmlReadySince !== null) {
      const since = Date.parse(state.cmlReadySince);
      until = since + (Math.floor((now - since) / 1000) + 1) * 1000;
    }
    if (state.lastActivityAt !== null && state.activeLabsCount === 0) {
      const flip = Date.parse(state.lastActivityAt) + idleThresholdMinutes * 60_000;
      if (now <= flip) until = Math.min(until, flip + 1);
    }
    return until;
  }

  function cached(state: WorkerState, now: Date): CachedView {
    const at = now.getTime();
    const hit = cache.get(state);
    if (hit && at < hit.validUntil) return hit;
    const json = JSON.stringify(toWorkerBaseView(state, now, idleThresholdMinutes));
    const fresh = { head: json.slice(0, -1), validUntil: validUntil(state, at), tail: "", full: "" };
    cache.set(state, fresh);
    return fresh;
  }

  return {
    /** The view of `state` at `now` as JSON text. */
    json(state: WorkerState, now: Date): string {
      const entry = cached(state, now);
      const tail = lifecycleFieldsJson(toWorkerLifecycleView(state, now, context));
      // The cost moves by the cent, the policy by the minute: most reads serve the text already made.
      if (tail !== entry.tail) {
        entry.tail = tail;
        entry.full = `${entry.head},${tail}}`;
      }
      return entry.full;
    },
  };
}

/** A JSON number or null, as `JSON.stringify` writes it (the figures are finite). */
const numberJson = (value: number | null): string => (value === null ? "null" : String(value));

/**
 * `"idle_policy":{…},"cost":{…}` exactly as `JSON.stringify` writes them, built directly: on a list of workers this
 * runs for every worker on every read, and its strings are names from fixed lists (no escaping needed).
 */
function lifecycleFieldsJson({ idle_policy: policy, cost }: WorkerLifecycleView): string {
  const reason = policy.skip_reason === null ? "null" : `"${policy.skip_reason}"`;
  return (
    `"idle_policy":{"mode":"${policy.mode}","state":"${policy.state}","skip_reason":${reason}},` +
    `"cost":{"hourly_usd":${numberJson(cost.hourly_usd)},"running_hours_month_to_date":${numberJson(cost.running_hours_month_to_date)},` +
    `"month_to_date_usd":${numberJson(cost.month_to_date_usd)},` +
    `"saved_by_idle_stop_usd_month_to_date":${numberJson(cost.saved_by_idle_stop_usd_month_to_date)}}`
  );
}
