import type { PriceEntry } from "@cml-telemetry/contracts";
import { priceKey } from "@cml-telemetry/lifecycle";
import type { PriceCache } from "../read-model/price-cache.ts";

/** Sets the on-demand hourly price of `instanceType` in `region`, as worker-lifecycle writes it to KV `cml_prices`. */
export function givenPrice(
  prices: PriceCache,
  region: string,
  instanceType: string,
  hourlyUsd: number,
): void {
  const entry: PriceEntry = { hourlyUsd, source: "pricing-api", fetchedAt: "2026-11-25T00:00:00.000Z" };
  prices.upsert(priceKey(region, instanceType), entry);
}
