import type { LifecycleAction } from "@cml-telemetry/contracts";

/** The states EC2 answered a state-change call with. */
export interface StateChange {
  readonly previousState: string | null;
  readonly currentState: string | null;
}

/** What worker-lifecycle asks of EC2 for one instance; errors are the SDK's own (see `classifyEc2Error`). */
export interface InstanceLifecycle {
  /** The instance's current state name (`DescribeInstances` of that one id). */
  readState(region: string, instanceId: string): Promise<string>;
  /** `StartInstances`, `StopInstances` or `TerminateInstances` of that one id, with `DryRun` when asked. */
  change(region: string, action: LifecycleAction, instanceId: string, dryRun: boolean): Promise<StateChange>;
}
