import { blankWorkerState, type WorkerState } from "@cml-telemetry/contracts";

export { createTopology, type Topology } from "@cml-telemetry/contracts";

/** A minimal valid worker state for tests. */
export function initialWorkerStateFixture(id: string): WorkerState {
  return blankWorkerState({
    id,
    region: "us-east-1",
    instanceId: "i-0123456789abcdef0",
    at: "2026-11-25T12:00:00.000Z",
    createdBy: "test",
  });
}
