import { type OpsPublisher, startJob } from "@cml-telemetry/messaging";
import { forEachWorker } from "./for-each-worker.ts";
import { processWorkerCommands, type WorkerProcessorDeps } from "./process-worker.ts";

/** One idle-detection tick. */
export interface DetectIdleTick {
  readonly slot: number;
  readonly inputId: string;
  readonly correlationId?: string | undefined;
}

/**
 * Decides `detectIdle` for every worker (idle_detected once per idle period), reported as a `detect-idle` job on
 * CML_OPS. Returns how many workers were checked.
 */
export async function detectIdleWorkers(
  deps: WorkerProcessorDeps & { readonly ops: OpsPublisher; readonly thresholdMinutes: number },
  tick: DetectIdleTick,
): Promise<number> {
  const job = startJob(deps.ops, "detect-idle", `detect-idle:${tick.slot}`);
  try {
    const checked = await forEachWorker(deps.store, async (workerId) => {
      await processWorkerCommands(deps, workerId, [
        {
          type: "detectIdle",
          data: { slot: tick.slot, thresholdMinutes: deps.thresholdMinutes },
          inputId: tick.inputId,
          correlationId: tick.correlationId,
          receivedAt: deps.clock().toISOString(),
        },
      ]);
    });
    job.complete(checked);
    return checked;
  } catch (error) {
    job.fail(error);
    throw error;
  }
}
