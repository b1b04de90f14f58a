import { describe, expect, it } from "vitest";
import { redeliveryBackoffMs, spreadDelayMs } from "./backoff.ts";

describe("redelivery backoff", () => {
  it("doubles from 1 s per delivery up to its cap", () => {
    expect([1, 2, 3, 4].map((count) => redeliveryBackoffMs(count))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(redeliveryBackoffMs(30)).toBe(60_000);
  });

  it("spreads a delay over the spread period, never below the delay, and leaves an immediate retry immediate", () => {
    expect(spreadDelayMs(1_000, 1_000, () => 0)).toBe(1_000);
    expect(spreadDelayMs(1_000, 1_000, () => 0.5)).toBe(1_500);
    expect(spreadDelayMs(1_000, 1_000, () => 0.9999)).toBe(1_999);
    expect(spreadDelayMs(0, 1_000, () => 0.5)).toBe(0);
    expect(spreadDelayMs(2_000, 0, () => 0.5)).toBe(2_000);
  });

  it("gives whole-second delays different phases", () => {
    const delays = Array.from({ length: 200 }, () => spreadDelayMs(1_000, 1_000) % 1_000);
    expect(new Set(delays.map((ms) => Math.floor(ms / 100))).size).toBeGreaterThanOrEqual(8);
  });
});
