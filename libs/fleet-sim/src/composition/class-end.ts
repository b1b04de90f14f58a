import type { CmlServerPool } from "../cml/index.ts";
import type { FleetModel } from "../model/fleet-model.ts";

/** A class that ends: the running labs of one worker stop at a set time, so it goes idle (`npm start`'s demo). */
export interface ClassEnd {
  /** Stops the labs once the time has come; returns the worker whose labs stopped, once. */
  check(): { instanceId: string; labs: number } | undefined;
}

/**
 * After `afterMs` of the fleet's clock from now, stops every lab (and node) of the first running CML worker that runs
 * any, as when a training class ends. Deterministic for a given fleet; it happens once.
 */
export function createClassEnd(fleet: FleetModel, pool: CmlServerPool, afterMs: number): ClassEnd {
  const endsAt = fleet.now() + afterMs;
  let done = false;
  return {
    check: () => {
      if (done || fleet.now() < endsAt) return undefined;
      for (const instance of fleet.instances()) {
        if (!instance.cml || instance.state !== "running" || !(fleet.workerTagKey in instance.tags)) continue;
        const spec = pool.get(instance.instanceId);
        const running = spec?.labs.filter((lab) => lab.state === "STARTED") ?? [];
        if (spec === undefined || running.length === 0) continue;
        pool.update(instance.instanceId, {
          labs: spec.labs.map((lab) => (lab.state === "STARTED" ? { ...lab, state: "STOPPED" } : lab)),
          runningNodes: spec.runningNodes === null ? null : 0,
        });
        done = true;
        return { instanceId: instance.instanceId, labs: running.length };
      }
      return undefined;
    },
  };
}
