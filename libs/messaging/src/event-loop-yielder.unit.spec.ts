import { describe, expect, it } from "vitest";
import { createEventLoopYielder } from "./event-loop-yielder.ts";

describe("createEventLoopYielder", () => {
  it("goes on until the slice is used up, then lets the event loop turn once and starts a new slice", async () => {
    let clock = 0;
    const yielder = createEventLoopYielder(5, () => clock);
    clock = 4;
    expect(yielder()).toBeUndefined();
    clock = 5;
    const turn = yielder();
    expect(turn).toBeInstanceOf(Promise);
    let timerRan = false;
    setTimeout(() => {
      timerRan = true;
    }, 0);
    await new Promise((resolve) => setTimeout(resolve, 1));
    await turn;
    expect(timerRan).toBe(true);
    clock = 9;
    expect(yielder()).toBeUndefined();
  });

  it("lets a timer run in the middle of a burst that would otherwise hold the event loop", async () => {
    const yielder = createEventLoopYielder(2);
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 1);
    const started = performance.now();
    while (performance.now() - started < 40) {
      const busyUntil = performance.now() + 0.5;
      while (performance.now() < busyUntil) {
        // a message's worth of work
      }
      await yielder();
    }
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
  });
});
