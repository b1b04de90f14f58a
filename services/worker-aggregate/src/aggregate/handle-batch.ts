import { TransientError } from "@cml-telemetry/contracts";
import type { Delivery } from "@cml-telemetry/messaging";
import type { WorkerCommand } from "../decider/commands.ts";
import { toWorkerInput } from "../inputs/to-worker-input.ts";
import { createWorkerIdentityCheck, WorkerIdentityError } from "../inputs/worker-identity.ts";
import type { DetectIdleTick } from "./detect-idle-workers.ts";
import { InputRejectedError, RetriesExhaustedError } from "./input-errors.ts";
import { rejectionOf } from "./input-rejection.ts";
import { processWorkerCommands, type WorkerProcessorDeps } from "./process-worker.ts";

interface WorkerGroup {
  readonly indexes: number[];
  readonly commands: WorkerCommand[];
}

/**
 * Deliveries of an observation of a worker nobody registered yet are retried this often (its discovery may be
 * in flight on another replica), then the observation is dropped.
 */
export const UNKNOWN_WORKER_RETRIES = 5;

/**
 * Deliveries of an input whose processing keeps failing transiently (KV or the stream unavailable, conflicts that
 * persist), with the consume loop's backoff between them (1 s doubling, at most 60 s: about 7 minutes in all), before
 * it is termed and surfaced as `source_failed` (InputRejected) where that can still be stored.
 */
export const MAX_TRANSIENT_DELIVERIES = 10;

/**
 * The consume loops' batch handler: validates every message, groups the commands by worker, and processes the
 * workers concurrently — each worker's commands in delivery order against one loaded state, written once.
 * Returns each message's error (or undefined) in delivery order; a bad message fails alone.
 */
export function createBatchHandler(
  deps: WorkerProcessorDeps & { readonly onDetectIdle: (tick: DetectIdleTick) => Promise<number> },
): (deliveries: readonly Delivery[]) => Promise<unknown[]> {
  const checkIdentity = createWorkerIdentityCheck();
  return async (deliveries) => {
    const results: unknown[] = new Array(deliveries.length).fill(undefined);
    const groups = new Map<string, WorkerGroup>();
    const ticks: Array<{ index: number; tick: DetectIdleTick }> = [];
    const receivedAt = deps.clock();
    const startedAt = performance.now();
    deliveries.forEach((delivery, index) => {
      try {
        const input = toWorkerInput(delivery.event, receivedAt, checkIdentity);
        if (input.kind === "detectIdle") {
          ticks.push({ index, tick: input });
          return;
        }
        const group = groups.get(input.workerId) ?? { indexes: [], commands: [] };
        group.indexes.push(index);
        group.commands.push(input.command);
        groups.set(input.workerId, group);
      } catch (error) {
        results[index] = error;
        deps.metrics.inputHandled(
          delivery.event.type,
          error instanceof WorkerIdentityError ? "identity-mismatch" : "rejected",
        );
      }
    });
    await Promise.all(
      [...groups].map(async ([workerId, group]) => {
        try {
          const outcomes = await processWorkerCommands(deps, workerId, group.commands);
          outcomes.forEach((outcome, position) => {
            const index = group.indexes[position] as number;
            const type = group.commands[position]?.type ?? "unknown";
            deps.metrics.inputHandled(type, outcome);
            if (
              outcome === "unknown-worker" &&
              (deliveries[index]?.deliveryCount ?? 0) < UNKNOWN_WORKER_RETRIES
            ) {
              results[index] = new TransientError(`worker ${workerId} is not registered yet`, {
                code: "UNKNOWN_WORKER",
                retryAfterMs: 1_000,
              });
            }
            if (outcome === "rejected") results[index] = new InputRejectedError(workerId, type);
          });
        } catch (error) {
          const exhausted: WorkerCommand[] = [];
          group.indexes.forEach((index, position) => {
            const command = group.commands[position] as WorkerCommand;
            const deliveryCount = deliveries[index]?.deliveryCount ?? 0;
            if (error instanceof TransientError && deliveryCount >= MAX_TRANSIENT_DELIVERIES) {
              results[index] = new RetriesExhaustedError(deliveryCount, error);
              deps.metrics.inputHandled(command.type, "gave-up");
              exhausted.push(command);
            } else {
              results[index] = error;
              deps.metrics.inputHandled(command.type, "failed");
            }
          });
          if (exhausted.length > 0)
            await surfaceExhausted(deps, workerId, exhausted, error as TransientError);
        }
      }),
    );
    deps.logger.debug(
      { messages: deliveries.length, workers: groups.size, ms: Math.round(performance.now() - startedAt) },
      "batch handled",
    );
    for (const { index, tick } of ticks) {
      try {
        await deps.onDetectIdle(tick);
        deps.metrics.inputHandled("detectIdle", "applied");
      } catch (error) {
        results[index] = error;
        deps.metrics.inputHandled("detectIdle", "failed");
      }
    }
    return results;
  };
}

/** Records on the worker the inputs given up on, where that can be stored now (else logs that it could not). */
async function surfaceExhausted(
  deps: WorkerProcessorDeps,
  workerId: string,
  commands: readonly WorkerCommand[],
  error: TransientError,
): Promise<void> {
  const rejections = commands.flatMap((command) => rejectionOf(command, `given up: ${error.message}`) ?? []);
  if (rejections.length === 0) return;
  try {
    await processWorkerCommands(deps, workerId, rejections);
  } catch (surfacing) {
    deps.logger.warn(
      { workerId, inputs: commands.length, err: (surfacing as Error)?.message ?? String(surfacing) },
      "inputs given up on could not be recorded on the worker",
    );
  }
}
