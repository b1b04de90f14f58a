import { TransientError } from "@cml-telemetry/contracts";
import type { Delivery } from "@cml-telemetry/messaging";
import type { WorkerCommand } from "../decider/commands.ts";
import { toWorkerInput } from "../inputs/to-worker-input.ts";
import { createWorkerIdentityCheck, WorkerIdentityError } from "../inputs/worker-identity.ts";
import type { DetectIdleTick } from "./detect-idle-workers.ts";
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
            deps.metrics.inputHandled(group.commands[position]?.type ?? "unknown", outcome);
            if (
              outcome === "unknown-worker" &&
              (deliveries[index]?.deliveryCount ?? 0) < UNKNOWN_WORKER_RETRIES
            ) {
              results[index] = new TransientError(`worker ${workerId} is not registered yet`, {
                code: "UNKNOWN_WORKER",
                retryAfterMs: 1_000,
              });
            }
          });
        } catch (error) {
          for (const index of group.indexes) results[index] = error;
          for (const command of group.commands) deps.metrics.inputHandled(command.type, "failed");
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
