import { afterEach, describe, expect, it, vi } from "vitest";
import { createSlotTicker } from "./slot-ticker.ts";
import { scheduledCommandId, slotOf } from "./slots.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("slots", () => {
  it("aligns slots to the epoch and names scheduled commands by slot", () => {
    expect(slotOf(Date.UTC(2026, 10, 25, 12, 0, 59, 900), 60)).toBe(Date.UTC(2026, 10, 25, 12, 0, 0) / 1000);
    expect(slotOf(Date.UTC(2026, 10, 25, 12, 4, 59), 300)).toBe(Date.UTC(2026, 10, 25, 12, 0, 0) / 1000);
    expect(scheduledCommandId("cloudwatch", "w1", 1_764_072_000)).toBe("cloudwatch:w1:1764072000");
  });
});

describe("slot ticker", () => {
  it("fires at start and once per slot boundary, skipping a slot while the previous run is busy", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2026, 10, 25, 12, 0, 30));
    const slots: number[] = [];
    let release: () => void = () => undefined;
    const ticker = createSlotTicker({
      intervalSeconds: 60,
      logger: { warn() {} },
      onSlot: async (slot) => {
        slots.push(slot);
        if (slots.length === 2) await new Promise<void>((resolve) => (release = resolve));
      },
    });
    ticker.start();
    expect(slots).toEqual([Date.UTC(2026, 10, 25, 12, 0) / 1000]);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(slots).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(slots).toHaveLength(2);
    release();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(slots).toEqual([0, 1, 3].map((minute) => Date.UTC(2026, 10, 25, 12, minute) / 1000));
    await ticker.stop();
  });
});
