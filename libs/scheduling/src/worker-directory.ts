import { type WorkerState, workerRecordStateSchema } from "@cml-telemetry/contracts";
import { createEventLoopYielder } from "@cml-telemetry/messaging";
import type { KV } from "@nats-io/kv";

/** Logging surface used by the directory. */
export interface DirectoryLogger {
  warn(fields: object, message?: string): void;
}

/** A local, watch-maintained view of KV `cml_workers` (worker states by id). */
export interface WorkerDirectory {
  /** Resolves once the initial values are loaded. */
  readonly ready: Promise<void>;
  get(workerId: string): WorkerState | undefined;
  list(): WorkerState[];
  size(): number;
  stop(): void;
}

/**
 * Parses the state of a KV value of `cml_workers` (not its outbox: {@link workerRecordStateSchema}); undefined (and a
 * warning) if it does not match the contract.
 */
export function parseWorkerState(
  value: Uint8Array,
  logger?: DirectoryLogger,
  key?: string,
): WorkerState | undefined {
  try {
    const parsed = workerRecordStateSchema.safeParse(JSON.parse(new TextDecoder().decode(value)));
    if (parsed.success) return parsed.data.state;
    logger?.warn(
      { key, err: parsed.error.issues[0]?.message },
      "worker record does not match the contract; ignored",
    );
  } catch (error) {
    logger?.warn({ key, err: (error as Error).message }, "worker record is not JSON; ignored");
  }
  return undefined;
}

/** Watches KV `cml_workers` (last values, then updates) and keeps the states in memory. */
export async function createWorkerDirectory(kv: KV, logger: DirectoryLogger): Promise<WorkerDirectory> {
  const workers = new Map<string, WorkerState>();
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const watch = await kv.watch();
  // An empty bucket delivers no initial entries; otherwise the last initial entry has delta 0.
  if ((await kv.status()).values === 0) markReady();
  // A slot's worth of updates arrives in a burst: the collector's own work goes on in between.
  const yielder = createEventLoopYielder();
  void (async () => {
    for await (const entry of watch) {
      if (entry.delta === 0) markReady();
      if (entry.operation !== "PUT") {
        workers.delete(entry.key);
        continue;
      }
      const state = parseWorkerState(entry.value, logger, entry.key);
      if (state) workers.set(entry.key, state);
      await yielder();
    }
  })();
  return {
    ready,
    get: (workerId) => workers.get(workerId),
    list: () => [...workers.values()],
    size: () => workers.size,
    stop: () => watch.stop(),
  };
}
