import { forEachWorker } from "./for-each-worker.ts";
import { publishPendingOutbox, type WorkerProcessorDeps } from "./process-worker.ts";

/**
 * Start-up repair: publishes every outbox entry a crash left between the KV write and the publish (checked against
 * the stream, so entries that made it out are never published twice, however long ago). Returns how many records
 * had missing entries.
 */
export async function recoverOutboxes(deps: WorkerProcessorDeps): Promise<number> {
  let recovered = 0;
  let checked = 0;
  const started = performance.now();
  await forEachWorker(
    deps.store,
    async (workerId) => {
      const stored = await deps.store.load(workerId);
      checked += 1;
      if (stored && (await publishPendingOutbox(deps, workerId, stored)) > 0) recovered += 1;
    },
    { concurrency: 64 },
  );
  deps.logger.info(
    { checked, recovered, ms: Math.round(performance.now() - started) },
    recovered > 0 ? "published outboxes left by an interrupted run" : "worker outboxes checked",
  );
  return recovered;
}
