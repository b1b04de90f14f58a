import { describe, expect, it } from "vitest";
import { mapWithConcurrency } from "./map-with-concurrency.ts";

describe("mapWithConcurrency", () => {
  it("never runs more than the limit at once and keeps the input order", async () => {
    let active = 0;
    let peak = 0;
    const result = await mapWithConcurrency([5, 4, 3, 2, 1, 0, 9], 3, async (value) => {
      active++;
      peak = Math.max(peak, active);
      for (let i = 0; i < value; i++) await Promise.resolve();
      active--;
      return value * 10;
    });
    expect(result).toEqual([50, 40, 30, 20, 10, 0, 90]);
    expect(peak).toBe(3);
  });

  it("handles an empty list and propagates the first failure", async () => {
    expect(await mapWithConcurrency([], 4, async () => 1)).toEqual([]);
    await expect(
      mapWithConcurrency([1, 2], 2, async (value) => {
        if (value === 2) throw new Error("boom");
        return value;
      }),
    ).rejects.toThrow("boom");
  });
});
