import { createEventLoopYielder } from "@cml-telemetry/messaging";
import type { KV } from "@nats-io/kv";
import type { Logger } from "pino";

/** What a {@link startKvWatch} does with the entries of a bucket. */
export interface KvWatchHandlers {
  /** A put: the value as parsed JSON; throws nothing (entries that do not fit are the handler's to log). */
  put(key: string, value: unknown, revision: number): void;
  /** A delete or purge of the key. */
  remove(key: string): void;
  /** Called once, when the initial values of the bucket are loaded. */
  synced(): void;
}

/** A running watch of a KV bucket. */
export interface KvWatch {
  /** Resolves once the initial values are loaded. */
  readonly synced: Promise<void>;
  /** Stops the watch. */
  stop(): Promise<void>;
}

/**
 * Watches a KV bucket from its initial values on (then every update) into `handlers`; a value that is not JSON is
 * logged and skipped, never crashes the watch. `bucketName` names the bucket in the logs.
 */
export async function startKvWatch(
  kv: KV,
  handlers: KvWatchHandlers,
  options: { logger: Logger; bucketName: string },
): Promise<KvWatch> {
  const { logger, bucketName } = options;
  const status = await kv.status();
  let isSynced = false;
  let resolveSynced: () => void = () => {};
  const synced = new Promise<void>((resolve) => {
    resolveSynced = resolve;
  });
  const markSynced = () => {
    if (isSynced) return;
    isSynced = true;
    handlers.synced();
    resolveSynced();
  };
  if (status.values === 0) markSynced();
  const watch = await kv.watch();
  // A slot's worth of updates arrives in a burst: let requests be served in between.
  const yielder = createEventLoopYielder();
  const done = (async () => {
    for await (const entry of watch) {
      if (entry.operation === "DEL" || entry.operation === "PURGE") {
        handlers.remove(entry.key);
      } else {
        let value: unknown;
        try {
          value = entry.json();
        } catch {
          logger.warn(
            { bucket: bucketName, key: entry.key, revision: entry.revision },
            "skipping KV entry that is not JSON",
          );
        }
        if (value !== undefined) handlers.put(entry.key, value, entry.revision);
      }
      if (entry.isUpdate || entry.delta === 0) markSynced();
      await yielder();
    }
  })();
  return {
    synced,
    async stop() {
      watch.stop();
      await done;
    },
  };
}
