import { describe, expect, it } from "vitest";
import { idleSinceOf, idleStopRequestId } from "./idle-period.ts";
import { priceEntriesOfFile, priceKey, pricesFileSchema } from "./prices.ts";

const KV_KEY = /^[-/_=.a-zA-Z0-9]+$/;

describe("price keys and PRICES_FILE", () => {
  it("key a region and an instance type with a valid KV key", () => {
    expect(priceKey("us-east-1", "m5zn.metal")).toBe("us-east-1.m5zn_metal");
    expect(priceKey("eu-west-1", "u-6tb1.metal")).toMatch(KV_KEY);
    expect(() => priceKey("us-east-1", "m5zn.metal.*")).toThrow(TypeError);
    expect(() => priceKey("mars", "m5.large")).toThrow(TypeError);
  });

  it("read a prices file into entries marked as coming from the file", () => {
    const file = pricesFileSchema.parse({ "us-east-1": { "m5zn.metal": 3.9641, "c5n.metal": 3.888 } });
    const entries = priceEntriesOfFile(file, new Date("2026-11-25T12:00:00.000Z"));
    expect(entries.get("us-east-1.m5zn_metal")).toEqual({
      hourlyUsd: 3.9641,
      source: "file",
      fetchedAt: "2026-11-25T12:00:00.000Z",
    });
    expect(entries.size).toBe(2);
    expect(pricesFileSchema.safeParse({ "us-east-1": { "m5zn.metal": -1 } }).success).toBe(false);
    expect(pricesFileSchema.safeParse({ Mars: { "m5zn.metal": 1 } }).success).toBe(false);
  });
});

describe("idle periods", () => {
  it("start at the later of the last activity and the current run's start", () => {
    expect(idleSinceOf({ lastActivityAt: null, runningSince: "2026-11-25T10:00:00.000Z" })).toBeNull();
    expect(idleSinceOf({ lastActivityAt: "2026-11-25T09:00:00.000Z", runningSince: null })).toBe(
      "2026-11-25T09:00:00.000Z",
    );
    expect(
      idleSinceOf({ lastActivityAt: "2026-11-25T09:00:00.000Z", runningSince: "2026-11-25T10:00:00.000Z" }),
    ).toBe("2026-11-25T10:00:00.000Z");
  });

  it("give one stop request id per worker, period and mode", () => {
    const id = idleStopRequestId("w1", "2026-11-25T09:00:00.000Z", "on");
    expect(idleStopRequestId("w1", "2026-11-25T09:00:00.000Z", "on")).toBe(id);
    expect(idleStopRequestId("w1", "2026-11-25T09:00:00.000Z", "dry-run")).not.toBe(id);
    expect(idleStopRequestId("w1", "2026-11-25T10:00:00.000Z", "on")).not.toBe(id);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-/);
  });
});
