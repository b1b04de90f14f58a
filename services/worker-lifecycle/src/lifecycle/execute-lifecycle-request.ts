import {
  type Ec2Action,
  type LifecycleCommand,
  lifecycleErrorTypes,
  reachesLifecycleTarget,
  TransientError,
} from "@cml-telemetry/contracts";
import { classifyEc2Error } from "./classify-ec2-error.ts";
import type { InstanceLifecycle } from "./instance-lifecycle.ts";

/** What {@link executeLifecycleRequest} needs. */
export interface ExecuteDeps {
  readonly instances: InstanceLifecycle;
  readonly now: () => Date;
}

type Outcome = Pick<Ec2Action, "outcome" | "previousState" | "currentState" | "errorType" | "errorMessage">;

/**
 * Executes one lifecycle request against EC2 and returns its `ec2.action` outcome (DESIGN §11): reads the instance's
 * state first and answers `already`, with no state-changing call, when it is in (or on its way to) the target state;
 * otherwise makes the call (with `DryRun` when asked: `dry-run`), `rejected` for a refusal (an `IncorrectInstanceState`
 * whose re-read shows the target is `already`).
 * @throws TransientError when EC2 throttles, fails on its side or cannot be reached: the request is retried later.
 */
export async function executeLifecycleRequest(
  command: LifecycleCommand,
  deps: ExecuteDeps,
): Promise<Ec2Action> {
  const { region, instanceId, action, dryRun } = command;
  const done = (outcome: Outcome): Ec2Action => ({
    ...command,
    ...outcome,
    observedAt: deps.now().toISOString(),
  });
  const read = async (): Promise<string | Outcome> => {
    try {
      return await deps.instances.readState(region, instanceId);
    } catch (error) {
      const meaning = classifyEc2Error(error);
      if (meaning.kind === "transient")
        throw new TransientError(meaning.message, { cause: error, code: "EC2" });
      const errorType = meaning.kind === "rejected" ? meaning.errorType : lifecycleErrorTypes.awsError;
      const errorMessage =
        meaning.kind === "dry-run" ? "DescribeInstances answered a dry run" : meaning.message;
      return { outcome: "rejected", previousState: null, currentState: null, errorType, errorMessage };
    }
  };
  const before = await read();
  if (typeof before !== "string") return done(before);
  if (reachesLifecycleTarget(action, before)) {
    return done({ outcome: "already", previousState: before, currentState: before });
  }
  try {
    const change = await deps.instances.change(region, action, instanceId, dryRun);
    return done({ outcome: "accepted", ...change });
  } catch (error) {
    const meaning = classifyEc2Error(error);
    switch (meaning.kind) {
      case "dry-run":
        return done({ outcome: "dry-run", previousState: before, currentState: before });
      case "transient":
        throw new TransientError(meaning.message, { cause: error, code: "EC2" });
      case "rejected":
        return done({
          outcome: "rejected",
          previousState: before,
          currentState: before,
          errorType: meaning.errorType,
          errorMessage: meaning.message,
        });
      case "incorrect-state": {
        // The state moved between the read and the call: a move to the target is what was asked for.
        const after = await read();
        const current = typeof after === "string" ? after : before;
        return reachesLifecycleTarget(action, current)
          ? done({ outcome: "already", previousState: before, currentState: current })
          : done({
              outcome: "rejected",
              previousState: before,
              currentState: current,
              errorType: lifecycleErrorTypes.incorrectState,
              errorMessage: meaning.message,
            });
      }
      default: {
        const unhandled: never = meaning;
        throw new TypeError(`unhandled EC2 error meaning ${JSON.stringify(unhandled)}`);
      }
    }
  }
}
