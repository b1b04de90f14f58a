import type { InstanceStateName } from "./types.ts";

/** An EC2 API state change the instance's current state does not allow (EC2's `IncorrectInstanceState`). */
export class IncorrectInstanceStateError extends Error {
  override readonly name = "IncorrectInstanceStateError";
  readonly code = "INCORRECT_INSTANCE_STATE";
  readonly instanceId: string;
  readonly state: InstanceStateName;

  constructor(instanceId: string, state: InstanceStateName, message: string) {
    super(message);
    this.instanceId = instanceId;
    this.state = state;
  }
}
