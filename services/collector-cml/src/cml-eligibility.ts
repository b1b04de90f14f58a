import type { WorkerState } from "@cml-telemetry/contracts";
import type { CollectCommandTarget } from "@cml-telemetry/scheduling";

/** A worker state that may be collected from CML: RUNNING with an HTTPS endpoint. */
export type CmlCollectableWorker = WorkerState & { httpsEndpoint: string };

/** DESIGN §4 gating: CML is only contacted for RUNNING workers that have an HTTPS endpoint. */
export function isCmlCollectable(state: WorkerState): state is CmlCollectableWorker {
  return state.status === "RUNNING" && typeof state.httpsEndpoint === "string" && state.httpsEndpoint !== "";
}

/** The collect-command target of a worker (with its endpoint, when it has one). */
export function cmlTargetOf(state: WorkerState): CollectCommandTarget {
  return {
    workerId: state.id,
    region: state.region,
    instanceId: state.instanceId,
    httpsEndpoint: state.httpsEndpoint ?? undefined,
  };
}
