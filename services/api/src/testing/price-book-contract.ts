import type { PriceEntry } from "@cml-telemetry/contracts";
import { priceKey } from "@cml-telemetry/lifecycle";
import { describe, expect, it } from "vitest";
import type { PriceBook } from "../ports.ts";

/** A price book under test plus how its source is written (the KV bucket, or the cache directly). */
export interface PriceBookFixture {
  book: PriceBook;
  put(key: string, entry: PriceEntry): Promise<void>;
  remove(key: string): Promise<void>;
}

async function eventually(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("price book did not catch up in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const entry = (hourlyUsd: number): PriceEntry => ({
  hourlyUsd,
  source: "pricing-api",
  fetchedAt: "2026-11-25T00:00:00.000Z",
});

/** The behaviour every {@link PriceBook} must have; run against the cache and the KV-watched book. */
export function describePriceBookContract(name: string, fixture: () => Promise<PriceBookFixture>): void {
  describe(`PriceBook contract: ${name}`, () => {
    it("is synced, knows a price by region and instance type, and follows changes and removals", async () => {
      const { book, put, remove } = await fixture();
      expect(book.isSynced()).toBe(true);
      expect(book.hourlyUsd("ap-south-1", "m5zn.metal")).toBeNull();
      await put(priceKey("ap-south-1", "m5zn.metal"), entry(3.1));
      await eventually(() => book.hourlyUsd("ap-south-1", "m5zn.metal") === 3.1);
      expect(book.hourlyUsd("ap-south-1", "c5.metal")).toBeNull();
      expect(book.hourlyUsd("eu-south-1", "m5zn.metal")).toBeNull();
      await put(priceKey("ap-south-1", "m5zn.metal"), entry(3.25));
      await eventually(() => book.hourlyUsd("ap-south-1", "m5zn.metal") === 3.25);
      await remove(priceKey("ap-south-1", "m5zn.metal"));
      await eventually(() => book.hourlyUsd("ap-south-1", "m5zn.metal") === null);
    });

    it("knows no price of a worker without an instance type, or of a type that could not be a key", async () => {
      const { book } = await fixture();
      expect(book.hourlyUsd("us-east-1", null)).toBeNull();
      expect(book.hourlyUsd("us-east-1", "not a type")).toBeNull();
      expect(book.hourlyUsd("Mars", "m5zn.metal")).toBeNull();
    });
  });
}
