import { describe, expect, it } from "vitest";
import { planSpread, spreadOffsetMs, takeDue } from "./slot-spread.ts";

const ids = Array.from({ length: 600 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);

describe("slot spread", () => {
  it("gives each worker a fixed offset within the spread, evenly over it", () => {
    const offsets = ids.map((id) => spreadOffsetMs(id, 45_000));
    expect(offsets.every((offset) => offset >= 0 && offset < 45_000)).toBe(true);
    expect(ids.map((id) => spreadOffsetMs(id, 45_000))).toEqual(offsets);
    const perTenth = Array.from(
      { length: 10 },
      (_, tenth) => offsets.filter((offset) => Math.floor(offset / 4_500) === tenth).length,
    );
    for (const count of perTenth) expect(count).toBeGreaterThan(30);
    expect(spreadOffsetMs(ids[0] as string, 0)).toBe(0);
  });

  it("hands out a slot's items as their offsets come, and everything left once the slot is over", () => {
    const slot = 1_764_072_000;
    const plan = planSpread(slot, ids, (id) => id, 45_000);
    const start = slot * 1000;
    const first = takeDue(plan, start, 60);
    expect(first.every((id) => spreadOffsetMs(id, 45_000) === 0)).toBe(true);
    const half = takeDue(plan, start + 22_500, 60);
    expect(half.length).toBeGreaterThan(200);
    expect(half.length).toBeLessThan(400);
    expect(half.every((id) => spreadOffsetMs(id, 45_000) <= 22_500)).toBe(true);
    expect(takeDue(plan, start + 22_500, 60)).toEqual([]);
    const rest = takeDue(plan, start + 60_000, 60);
    expect(first.length + half.length + rest.length).toBe(ids.length);
    expect(new Set([...first, ...half, ...rest]).size).toBe(ids.length);
  });
});
