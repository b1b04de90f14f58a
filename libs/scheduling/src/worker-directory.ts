import { type WorkerRecord, type WorkerState, workerRecordSchema } from "@cml-telemetry/contracts";
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

/** Parses a KV value of `cml_workers`; undefined (and a warning) if it does not match the contract. */
export function parseWorkerRecord(
  value: Uint8Array,
  logger?: DirectoryLogger,
  key?: string,
): WorkerRecord | undefined {
  try {
    const parsed = workerRecordSchema.safeParse(JSON.parse(new TextDecoder().decode(value)));
    if (parsed.success) return parsed.data;
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
      const record = parseWorkerRecord(entry.value, logger, entry.key);
      if (record) workers.set(entry.key, record.state);
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
