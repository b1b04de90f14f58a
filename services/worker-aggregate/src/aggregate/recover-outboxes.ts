import { forEachWorker } from "./for-each-worker.ts";
import { flushOutbox, type WorkerProcessorDeps } from "./process-worker.ts";

/**
 * Start-up repair: publishes every outbox a crash left between the KV write and the publish, then clears it.
 * Returns how many records had one.
 */
export async function recoverOutboxes(deps: WorkerProcessorDeps): Promise<number> {
  let recovered = 0;
  await forEachWorker(deps.store, async (workerId) => {
    const stored = await deps.store.load(workerId);
    if (!stored || stored.record.outbox.length === 0) return;
    recovered += 1;
    await flushOutbox(deps, workerId, stored);
  });
  if (recovered > 0) deps.logger.info({ recovered }, "published outboxes left by an interrupted run");
  return recovered;
}
