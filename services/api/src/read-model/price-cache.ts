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
  /** Price key of each region and instance type asked for (null: it could not be a key); a handful per fleet. */
  const keys = new Map<string, string | null>();
  let synced = false;

  function keyOf(region: string, instanceType: string): string | null {
    const asked = `${region} ${instanceType}`;
    let key = keys.get(asked);
    if (key === undefined) {
      try {
        key = priceKey(region, instanceType);
      } catch {
        // A region or type that could not be a key has no price: unknown, never a guess.
        key = null;
      }
      keys.set(asked, key);
    }
    return key;
  }

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
      const key = instanceType === null ? null : keyOf(region, instanceType);
      return key === null ? null : (entries.get(key)?.hourlyUsd ?? null);
    },
  };
}
