/** Runs tasks one after another per worker id, in the order they were submitted; different workers run in parallel. */
export interface WorkerLocks {
  run<T>(workerId: string, task: () => Promise<T>): Promise<T>;
  /** Workers with a task running or queued. */
  size(): number;
}

/**
 * Per-worker serialisation inside one instance, so concurrent batches (and the idle scan) never race each other on a
 * worker's record: no avoidable compare-and-set conflicts, and inputs of a worker are applied in delivery order.
 */
export function createWorkerLocks(): WorkerLocks {
  const tails = new Map<string, Promise<void>>();
  return {
    async run(workerId, task) {
      const previous = tails.get(workerId);
      let release: () => void = () => undefined;
      const tail = new Promise<void>((resolve) => {
        release = resolve;
      });
      tails.set(workerId, tail);
      try {
        if (previous) await previous;
        return await task();
      } finally {
        release();
        if (tails.get(workerId) === tail) tails.delete(workerId);
      }
    },
    size: () => tails.size,
  };
}
