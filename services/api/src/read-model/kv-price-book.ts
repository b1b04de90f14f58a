import { priceEntrySchema } from "@cml-telemetry/contracts";
import type { KV } from "@nats-io/kv";
import type { Logger } from "pino";
import type { PriceBook } from "../ports.ts";
import { startKvWatch } from "./kv-watch.ts";
import { createPriceCache } from "./price-cache.ts";

/** The KV-backed price book: a live cache of `cml_prices` plus the watch that feeds it. */
export interface KvPriceBook extends PriceBook {
  /** Resolves once the initial values are loaded. */
  readonly synced: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Watches KV `cml_prices` (written by worker-lifecycle) into an in-memory cache, as the worker cache watches
 * `cml_workers`; an entry that is not a price is logged and skipped (its price stays unknown).
 */
export async function startKvPriceBook(kv: KV, logger: Logger): Promise<KvPriceBook> {
  const cache = createPriceCache();
  const watch = await startKvWatch(
    kv,
    {
      put(key, value, revision) {
        const parsed = priceEntrySchema.safeParse(value);
        if (parsed.success) cache.upsert(key, parsed.data);
        else {
          cache.remove(key);
          logger.warn({ key, revision }, "skipping KV entry that is not a price");
        }
      },
      remove: (key) => cache.remove(key),
      synced() {
        cache.markSynced();
        logger.info({ prices: cache.size() }, "price cache synced");
      },
    },
    { logger, bucketName: "cml_prices" },
  );
  return {
    isSynced: cache.isSynced,
    hourlyUsd: cache.hourlyUsd,
    synced: watch.synced,
    stop: watch.stop,
  };
}
