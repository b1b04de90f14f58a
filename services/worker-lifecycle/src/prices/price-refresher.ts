import { type PriceEntry, priceEntrySchema } from "@cml-telemetry/contracts";
import { priceKey } from "@cml-telemetry/lifecycle";
import type { Logger } from "@cml-telemetry/messaging";
import type { KV } from "@nats-io/kv";
import type { PricingLookup } from "./pricing-lookup.ts";

/** How long a price read from the Price List Query API is used before it is read again (DESIGN §11: a day). */
export const PRICE_MAX_AGE_MS = 86_400_000;

/** What one refresh did. */
export interface PriceRefreshResult {
  /** Entries written (new or changed prices). */
  readonly written: number;
  /** Entries removed (the Price List no longer has the price). */
  readonly removed: number;
  /** (region, type) pairs without a price. */
  readonly unknown: number;
  /** Lookups that failed (kept as they were; tried again next refresh). */
  readonly failed: number;
}

/** Keeps KV `cml_prices` up to date for the instance types of the fleet. */
export interface PriceRefresher {
  refresh(): Promise<PriceRefreshResult>;
}

function entryOf(value: Uint8Array | undefined): PriceEntry | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = priceEntrySchema.safeParse(JSON.parse(new TextDecoder().decode(value)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the on-demand hourly price of every (region, instance type) of the fleet to KV `cml_prices`: from
 * `PRICES_FILE` where it lists the pair (`source: "file"`), else from the Price List Query API, read again once its
 * entry is a day old (so replicas share one read a day). A pair without a price has no entry (null for the api, never
 * a guess); a price the Price List no longer has is removed; a failed lookup keeps what is there. Pairs found without a
 * price are not asked again for a day by this replica.
 */
export function createPriceRefresher(options: {
  kv: KV;
  lookup: PricingLookup;
  /** The (region, instance type) pairs of the fleet now. */
  pairs: () => Iterable<readonly [string, string]>;
  /** `PRICES_FILE` entries by price key (empty without the file). */
  fileEntries: ReadonlyMap<string, PriceEntry>;
  now: () => number;
  logger: Logger;
}): PriceRefresher {
  const unknownUntil = new Map<string, number>();
  const write = async (key: string, entry: PriceEntry): Promise<void> => {
    await options.kv.put(key, JSON.stringify(entry));
  };
  return {
    async refresh() {
      const now = options.now();
      let written = 0;
      let removed = 0;
      let unknown = 0;
      let failed = 0;
      const seen = new Set<string>();
      for (const [region, instanceType] of options.pairs()) {
        let key: string;
        try {
          key = priceKey(region, instanceType);
        } catch {
          continue;
        }
        if (seen.has(key)) continue;
        seen.add(key);
        const stored = entryOf((await options.kv.get(key))?.value);
        const fromFile = options.fileEntries.get(key);
        if (fromFile !== undefined) {
          if (stored?.source !== "file" || stored.hourlyUsd !== fromFile.hourlyUsd) {
            await write(key, fromFile);
            written += 1;
          }
          continue;
        }
        if (stored?.source === "pricing-api" && now - Date.parse(stored.fetchedAt) < PRICE_MAX_AGE_MS)
          continue;
        if ((unknownUntil.get(key) ?? 0) > now) {
          unknown += 1;
          continue;
        }
        try {
          const reading = await options.lookup.onDemandLinuxPrice(region, instanceType);
          if (reading.kind === "price") {
            await write(key, {
              hourlyUsd: reading.hourlyUsd,
              source: "pricing-api",
              fetchedAt: new Date(now).toISOString(),
            });
            written += 1;
            continue;
          }
          unknown += 1;
          unknownUntil.set(key, now + PRICE_MAX_AGE_MS);
          if (reading.kind === "ambiguous") {
            options.logger.warn(
              { region, instanceType, prices: reading.prices },
              "the Price List has several on-demand prices for this type; it stays unknown",
            );
          }
          if (stored !== undefined) {
            await options.kv.delete(key);
            removed += 1;
          }
        } catch (error) {
          failed += 1;
          options.logger.warn(
            { region, instanceType, err: (error as Error).message },
            "price could not be read; tried again next refresh",
          );
        }
      }
      return { written, removed, unknown, failed };
    },
  };
}
