import { type PriceEntry, regionSchema } from "@cml-telemetry/contracts";
import { z } from "zod";

const INSTANCE_TYPE = /^[a-z0-9][a-z0-9-]*\.[a-z0-9-]+$/;

/**
 * Key of a price in KV `cml_prices`: `<region>.<instanceType>` with the type's dot as `_` (`us-east-1.m5zn_metal`),
 * a valid KV key.
 * @throws TypeError for a region or instance type that could not be a key.
 */
export function priceKey(region: string, instanceType: string): string {
  if (!regionSchema.safeParse(region).success) throw new TypeError(`"${region}" is not an AWS region`);
  if (!INSTANCE_TYPE.test(instanceType)) throw new TypeError(`"${instanceType}" is not an EC2 instance type`);
  return `${region}.${instanceType.replace(".", "_")}`;
}

/** `PRICES_FILE`: `{ "<region>": { "<instanceType>": <USD per hour> } }`. */
export const pricesFileSchema = z.record(
  regionSchema,
  z.record(
    z.string().regex(INSTANCE_TYPE, "must be an EC2 instance type such as m5zn.metal"),
    z.number().nonnegative(),
  ),
);
export type PricesFile = z.infer<typeof pricesFileSchema>;

/** The price entries of a `PRICES_FILE` document, by price key. */
export function priceEntriesOfFile(file: PricesFile, fetchedAt: Date): Map<string, PriceEntry> {
  const entries = new Map<string, PriceEntry>();
  for (const [region, types] of Object.entries(file)) {
    for (const [instanceType, hourlyUsd] of Object.entries(types)) {
      entries.set(priceKey(region, instanceType), {
        hourlyUsd,
        source: "file",
        fetchedAt: fetchedAt.toISOString(),
      });
    }
  }
  return entries;
}
