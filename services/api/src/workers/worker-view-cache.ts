import type { WorkerState } from "@cml-telemetry/contracts";
import { toWorkerView } from "./worker-view.ts";

interface CachedView {
  json: string;
  /** Epoch ms from which a time-dependent field (`uptime_seconds`, `is_idle`) may differ. */
  validUntil: number;
}

/**
 * Serialised worker views, reused while the state object is the same (the cache replaces it on every KV update)
 * and no time-dependent field can have changed; the answer is byte-identical to serialising `toWorkerView` anew.
 */
export function createWorkerViewCache(idleThresholdMinutes: number) {
  const cache = new WeakMap<WorkerState, CachedView>();

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

  return {
    /** The view of `state` at `now` as JSON text. */
    json(state: WorkerState, now: Date): string {
      const at = now.getTime();
      const hit = cache.get(state);
      if (hit && at < hit.validUntil) return hit.json;
      const json = JSON.stringify(toWorkerView(state, now, idleThresholdMinutes));
      cache.set(state, { json, validUntil: validUntil(state, at) });
      return json;
    },
  };
}
