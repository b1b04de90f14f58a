import type { FleetModel, InstanceRecord } from "../model/fleet-model.ts";

/** Lifecycle churn for a lively demo fleet: one worker at a time is stopped, then started again. */
export interface FleetChurn {
  /** Performs the next churn step; returns the affected instance and action, if any. */
  step(): { instanceId: string; action: "stop" | "start" } | undefined;
}

/**
 * Creates a churn that alternates: stop the next running worker (round-robin over tagged CML workers),
 * then start it again once it is stopped. Deterministic; pending and special instances are left alone.
 */
export function createFleetChurn(fleet: FleetModel): FleetChurn {
  let cursor = 0;
  let stoppedByUs: string | undefined;
  const candidates = (): InstanceRecord[] =>
    fleet.instances().filter((i) => i.cml && fleet.workerTagKey in i.tags && i.state === "running");

  return {
    step: () => {
      if (stoppedByUs !== undefined) {
        const instance = fleet.find(stoppedByUs);
        if (instance?.state === "stopping") return undefined;
        const instanceId = stoppedByUs;
        stoppedByUs = undefined;
        if (instance?.state === "stopped") {
          fleet.update(instanceId, { action: "start" });
          return { instanceId, action: "start" };
        }
      }
      const running = candidates();
      if (running.length < 2) return undefined;
      const target = running[cursor++ % running.length];
      if (!target) return undefined;
      fleet.update(target.instanceId, { action: "stop" });
      stoppedByUs = target.instanceId;
      return { instanceId: target.instanceId, action: "stop" };
    },
  };
}
