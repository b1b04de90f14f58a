import { workerRecordSchema } from "@cml-telemetry/contracts";
import { createEventLoopYielder } from "@cml-telemetry/messaging";
import type { KV } from "@nats-io/kv";
import type { Logger } from "pino";
import type { WorkerReadModel } from "../ports.ts";
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
  const status = await kv.status();
  let markSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => {
    markSynced = () => {
      if (!cache.isSynced()) {
        cache.markSynced();
        logger.info({ workers: cache.size() }, "worker cache synced");
      }
      resolve();
    };
  });
  if (status.values === 0) markSynced();
  const watch = await kv.watch();
  // A slot's worth of updates arrives in a burst: let requests be served in between.
  const yielder = createEventLoopYielder();
  const done = (async () => {
    for await (const entry of watch) {
      if (entry.operation === "DEL" || entry.operation === "PURGE") {
        cache.remove(entry.key);
      } else {
        try {
          const parsed = workerRecordSchema.safeParse(entry.json());
          if (parsed.success) cache.upsert(parsed.data.state);
          else
            logger.warn(
              { key: entry.key, revision: entry.revision },
              "skipping KV entry that is not a worker record",
            );
        } catch {
          logger.warn({ key: entry.key, revision: entry.revision }, "skipping KV entry that is not JSON");
        }
      }
      if (entry.isUpdate || entry.delta === 0) markSynced();
      await yielder();
    }
  })();
  return {
    ...cache,
    synced,
    async stop() {
      watch.stop();
      await done;
    },
  };
}
