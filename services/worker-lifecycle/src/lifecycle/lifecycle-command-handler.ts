import {
  commands,
  correlationIdOf,
  createEvent,
  decodeEvent,
  type Ec2Action,
  ec2ActionEventId,
  encodeEvent,
  lifecycleRequestKey,
  parseEventData,
  parseLifecycleSubject,
  subjects,
  TransientError,
  telemetry,
  ValidationError,
} from "@cml-telemetry/contracts";
import type { Delivery, Logger } from "@cml-telemetry/messaging";
import type { JetStreamClient } from "@nats-io/jetstream";
import { type ExecuteDeps, executeLifecycleRequest } from "./execute-lifecycle-request.ts";
import type { RequestClaims } from "./request-claims.ts";

/** What the handler of lifecycle commands needs. */
export interface LifecycleCommandHandlerDeps extends ExecuteDeps {
  readonly js: JetStreamClient;
  readonly claims: RequestClaims;
  readonly logger: Logger;
  /** Called once per executed request (not for a republished outcome). */
  readonly onOutcome?: (outcome: Ec2Action) => void;
}

const text = new TextDecoder();

/** Longest wait before looking again at a request another replica is executing. */
const BUSY_RETRY_MS = 2_000;

async function publishOutcome(js: JetStreamClient, workerId: string, event: string): Promise<void> {
  const id = decodeEvent(event).id;
  try {
    await js.publish(subjects.telemetry("ec2", workerId), new TextEncoder().encode(event), {
      msgID: id,
      timeout: 5_000,
    });
  } catch (error) {
    throw new TransientError(`the outcome ${id} could not be published`, { cause: error, code: "PUBLISH" });
  }
}

/**
 * Handles one `cml.cmd.lifecycle.<action>.<workerId>` command (DESIGN §11), once per request across replicas and
 * redeliveries: claims the request, executes it against EC2, records the outcome on the claim, then publishes it as
 * `ec2.action` telemetry (CloudEvent id `action:<workerId>:<action>:<requestId>`, carrying the command's correlation
 * id). A request already executed has its recorded outcome published again (JetStream drops the duplicate; the
 * aggregate applies it once); one another replica is executing is retried later.
 * @throws ValidationError for a command that does not match the contract (termed), TransientError to retry it.
 */
export function createLifecycleCommandHandler(
  deps: LifecycleCommandHandlerDeps,
): (delivery: Delivery) => Promise<void> {
  return async (delivery) => {
    const command = parseEventData(commands.lifecycle, delivery.event);
    const addressed = parseLifecycleSubject(delivery.subject);
    if (addressed?.action !== command.action || addressed.workerId !== command.workerId) {
      throw new ValidationError(
        `subject ${delivery.subject} does not match the command's action and worker`,
        [{ field: "subject", message: "must be cml.cmd.lifecycle.<data.action>.<data.workerId>" }],
      );
    }
    const { workerId, action, requestId } = command;
    const key = lifecycleRequestKey(workerId, action, requestId);
    const context = { workerId, action, requestId, correlationId: correlationIdOf(delivery.event) };
    const claim = await deps.claims.claim(key).catch((error: unknown) => {
      throw new TransientError(`request ${requestId} could not be claimed`, { cause: error, code: "KV" });
    });
    if (claim.kind === "done") {
      deps.logger.info(context, "lifecycle request already executed; its outcome is published again");
      await publishOutcome(deps.js, workerId, claim.outcomeEvent);
      return;
    }
    if (claim.kind === "busy") {
      throw new TransientError(`request ${requestId} is being executed by another replica`, {
        code: "BUSY",
        retryAfterMs: Math.min(BUSY_RETRY_MS, claim.retryInMs),
      });
    }
    let outcome: Ec2Action;
    try {
      outcome = await executeLifecycleRequest(command, deps);
    } catch (error) {
      await deps.claims
        .release(key, claim.revision)
        .catch((releaseError: unknown) =>
          deps.logger.warn(
            { ...context, err: (releaseError as Error).message },
            "claim could not be released",
          ),
        );
      throw error;
    }
    const event = text.decode(
      encodeEvent(
        createEvent(telemetry.ec2Action, {
          source: "worker-lifecycle",
          subject: workerId,
          id: ec2ActionEventId(workerId, action, requestId),
          data: outcome,
          correlationId: context.correlationId,
          time: deps.now(),
        }),
      ),
    );
    try {
      await deps.claims.complete(key, claim.revision, event);
    } catch (error) {
      // Retried: the next delivery finds the claim (or takes it over once stale) and reads EC2 again.
      throw new TransientError(`the outcome of ${requestId} could not be recorded`, {
        cause: error,
        code: "KV",
      });
    }
    deps.logger.info(
      {
        ...context,
        outcome: outcome.outcome,
        previousState: outcome.previousState,
        currentState: outcome.currentState,
      },
      "lifecycle request executed",
    );
    deps.onOutcome?.(outcome);
    await publishOutcome(deps.js, workerId, event);
  };
}
