import {
  type CmlCloudEvent,
  domainEvents,
  type LastLifecycleAction,
  LIFECYCLE_EVENT_NAMES,
  type LifecycleAction,
  type LifecycleOutcome,
  lifecycleRequestedSchema,
  lifecycleTargetStatuses,
  type WorkerState,
} from "@cml-telemetry/contracts";
import type { Logger } from "pino";
import type { CommandPublisher, EventFeed, Unsubscribe, WorkerReadModel } from "../ports.ts";
import { within } from "./within.ts";

/** An operator's start, stop or terminate of one worker. */
export interface LifecycleRequest {
  readonly worker: WorkerState;
  readonly action: LifecycleAction;
  /** The request's id: also its correlation id, and the command's `requestId`. */
  readonly requestId: string;
  /** The token's name (`anonymous` without tokens). */
  readonly requestedBy: string;
}

/** What became of a request the caller waited for. */
export interface LifecycleResult {
  readonly outcome: LifecycleOutcome;
  /** The worker once it shows the outcome (and, for an accepted one, the target or transitional status). */
  readonly worker: WorkerState;
}

/** Publishes operators' lifecycle commands and, on request, waits for their outcome. */
export interface LifecycleRequests {
  /**
   * Publishes the lifecycle command of `request` (`reason: "operator"`, `dryRun: false`). With `waitMs` > 0 it
   * subscribes to the worker's domain events first and resolves, within `waitMs`, once the `<action>_requested` event
   * of this request arrived and the worker shows it — for an `accepted` outcome, once its status is the action's
   * target or transitional one (start: PENDING/RUNNING, stop: STOPPING/STOPPED, terminate: SHUTTING_DOWN/TERMINATED);
   * `already`, `rejected` and `dry-run` change no status. Undefined when not waited for, or when the time ran out.
   * @throws what the command publisher or, with `waitMs`, the event feed throws (nothing was published then).
   */
  request(request: LifecycleRequest, waitMs: number): Promise<LifecycleResult | undefined>;
}

interface Reported {
  outcome: LifecycleOutcome;
  /** Aggregate version of the event (or state) that reported it. */
  version: number;
}

/** Whether the state's last lifecycle action is this request (a repeated request id the aggregate already applied). */
function isThisRequest(
  last: LastLifecycleAction | null,
  action: LifecycleAction,
  requestId: string,
): last is LastLifecycleAction {
  return last !== null && last.action === action && last.requestId === requestId;
}

/**
 * Creates the {@link LifecycleRequests} of the API: commands go to `CML_COMMANDS` (worker-lifecycle executes them),
 * outcomes come back as domain events of the aggregate.
 */
export function createLifecycleRequests(deps: {
  commands: CommandPublisher;
  feed: EventFeed;
  readModel: WorkerReadModel;
  logger: Logger;
}): LifecycleRequests {
  const { commands, feed, readModel, logger } = deps;

  /** Resolves with the outcome the aggregate reports for the request (its `<action>_requested` event). */
  async function watchOutcome(
    request: LifecycleRequest,
  ): Promise<{ reported: Promise<Reported>; stop: Unsubscribe }> {
    const { worker, action, requestId } = request;
    const eventType = domainEvents[LIFECYCLE_EVENT_NAMES[action]].type;
    let report: (reported: Reported) => void = () => {};
    const reported = new Promise<Reported>((resolve) => {
      report = resolve;
    });
    const stop = await feed.watchWorker(worker.id, (event: CmlCloudEvent<unknown>) => {
      if (event.type !== eventType) return;
      const data = lifecycleRequestedSchema.safeParse(event.data);
      if (data.success && data.data.requestId === requestId) {
        report({ outcome: data.data.outcome, version: data.data.version });
      }
    });
    const last = worker.lastLifecycleAction;
    if (isThisRequest(last, action, requestId)) {
      report({ outcome: last.outcome, version: worker.version });
    }
    return { reported, stop };
  }

  return {
    async request(request, waitMs) {
      const { worker, action, requestId, requestedBy } = request;
      const started = Date.now();
      const watching = waitMs > 0 ? await watchOutcome(request) : undefined;
      try {
        await commands.lifecycle(
          {
            workerId: worker.id,
            region: worker.region,
            instanceId: worker.instanceId,
            action,
            requestedBy,
            reason: "operator",
            dryRun: false,
            requestId,
          },
          requestId,
        );
        logger.info(
          { workerId: worker.id, correlationId: requestId, action, requestedBy },
          "lifecycle action requested",
        );
        if (watching === undefined) return undefined;
        const reported = await within(watching.reported, waitMs - (Date.now() - started));
        if (reported === undefined) return undefined;
        const targets = lifecycleTargetStatuses(action);
        const shown = await readModel.waitFor(
          worker.id,
          (state) =>
            state.version >= reported.version &&
            (reported.outcome !== "accepted" || targets.includes(state.status)),
          Math.max(0, waitMs - (Date.now() - started)),
        );
        return shown === undefined ? undefined : { outcome: reported.outcome, worker: shown };
      } finally {
        watching?.stop();
      }
    },
  };
}
