import { workerRecordStateSchema } from "@cml-telemetry/contracts";
import type { KV } from "@nats-io/kv";
import type { Logger } from "pino";
import type { WorkerReadModel } from "../ports.ts";
import { startKvWatch } from "./kv-watch.ts";
import { createWorkerCache } from "./worker-cache.ts";

/** The KV-backed read model: a live cache of `cml_workers` plus the watch that feeds it. */
export interface KvWorkerReadModel extends WorkerReadModel {
  /** Resolves once the initial values are loaded (the model is then synced). */
  readonly synced: Promise<void>;
  /** Stops the watch. */
  stop(): Promise<void>;
}

/**
 * Watches KV `cml_workers` (initial values, then updates) into an in-memory cache; entries that do not parse
 * as a worker record are logged and skipped, never crash the watch.
 */
export async function startKvWorkerReadModel(kv: KV, logger: Logger): Promise<KvWorkerReadModel> {
  const cache = createWorkerCache();
  const watch = await startKvWatch(
    kv,
    {
      put(key, value, revision) {
        const parsed = workerRecordStateSchema.safeParse(value);
        if (parsed.success) cache.upsert(parsed.data.state);
        else logger.warn({ key, revision }, "skipping KV entry that is not a worker record");
      },
      remove: (key) => cache.remove(key),
      synced() {
        cache.markSynced();
        logger.info({ workers: cache.size() }, "worker cache synced");
      },
    },
    { logger, bucketName: "cml_workers" },
  );
  return { ...cache, synced: watch.synced, stop: watch.stop };
}
