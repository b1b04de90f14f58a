import type { PriceEntry } from "@cml-telemetry/contracts";
import { priceKey } from "@cml-telemetry/lifecycle";
import type { PriceBook } from "../ports.ts";

/** A price book that is written directly: the store behind the KV watch, and the fake of tests. */
export interface PriceCache extends PriceBook {
  /** Inserts or replaces the entry of a price key (`<region>.<instanceType with _>`). */
  upsert(key: string, entry: PriceEntry): void;
  /** Forgets the price of a key (KV delete/purge): unknown again. */
  remove(key: string): void;
  /** Marks the initial load as complete. */
  markSynced(): void;
  /** Number of prices held. */
  size(): number;
}

/**
 * In-memory prices by price key.
 * @example const prices = createPriceCache(); prices.upsert(priceKey("us-east-1", "m5zn.metal"), entry);
 */
export function createPriceCache(): PriceCache {
  const entries = new Map<string, PriceEntry>();
  let synced = false;
  return {
    isSynced: () => synced,
    markSynced: () => {
      synced = true;
    },
    size: () => entries.size,
    upsert: (key, entry) => {
      entries.set(key, entry);
    },
    remove: (key) => {
      entries.delete(key);
    },
    hourlyUsd(region, instanceType) {
      if (instanceType === null) return null;
      let key: string;
      try {
        key = priceKey(region, instanceType);
      } catch {
        // A region or type that could not be a key has no price: unknown, never a guess.
        return null;
      }
      return entries.get(key)?.hourlyUsd ?? null;
    },
  };
}
