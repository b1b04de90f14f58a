import { describe, expect, it } from "vitest";
import { runBounded } from "./run-bounded.ts";

describe("runBounded", () => {
  it("runs every item with at most `limit` in flight, a blocked item holding only its own lane", async () => {
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    let releaseBlocked: () => void = () => undefined;
    const blocked = new Promise<void>((resolve) => {
      releaseBlocked = resolve;
    });
    const run = runBounded([0, 1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      if (item === 0) await blocked;
      else await Promise.resolve();
      done.push(item);
      inFlight -= 1;
      if (done.length === 7) releaseBlocked();
    });
    await run;
    expect(peak).toBe(3);
    expect(done.slice(0, 7).sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(done[7]).toBe(0);
  });

  it("handles an empty list", async () => {
    await expect(runBounded([], 4, async () => undefined)).resolves.toBeUndefined();
  });
});
