import type { WorkerState } from "@cml-telemetry/contracts";
import { toWorkerBaseView, toWorkerLifecycleView, type WorkerViewContext } from "./worker-view.ts";

interface CachedView {
  /** The JSON of the base view without its closing brace. */
  head: string;
  /** Epoch ms from which a time-dependent field of the base view (`uptime_seconds`, `is_idle`) may differ. */
  validUntil: number;
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

  function head(state: WorkerState, now: Date): string {
    const at = now.getTime();
    const hit = cache.get(state);
    if (hit && at < hit.validUntil) return hit.head;
    const json = JSON.stringify(toWorkerBaseView(state, now, idleThresholdMinutes));
    const fresh = json.slice(0, -1);
    cache.set(state, { head: fresh, validUntil: validUntil(state, at) });
    return fresh;
  }

  return {
    /** The view of `state` at `now` as JSON text. */
    json(state: WorkerState, now: Date): string {
      const tail = JSON.stringify(toWorkerLifecycleView(state, now, context));
      return `${head(state, now)},${tail.slice(1)}`;
    },
  };
}
