import type { WorkerStore } from "../store/worker-store.ts";

/**
 * Runs `task` for every worker with a record, at most `concurrency` at a time. Resolves with how many ran;
 * rejects with the first failure after the rest finished.
 */
export async function forEachWorker(
  store: WorkerStore,
  task: (workerId: string) => Promise<void>,
  options: { concurrency?: number } = {},
): Promise<number> {
  const ids = await store.workerIds();
  let next = 0;
  let failure: unknown;
  const lane = async (): Promise<void> => {
    while (next < ids.length) {
      const workerId = ids[next] as string;
      next += 1;
      try {
        await task(workerId);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 32, ids.length) }, lane));
  if (failure !== undefined) throw failure;
  return ids.length;
}
