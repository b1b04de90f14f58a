import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startReplayProgressReporter } from "./replay-progress-reporter.ts";

describe("startReplayProgressReporter", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("logs replayed / total with percent and rate every interval until stopped", () => {
    const lines: Array<[object, string | undefined]> = [];
    const logger = {
      debug: () => undefined,
      info: (fields: object, message?: string) => lines.push([fields, message]),
      warn: () => undefined,
      error: () => undefined,
    };
    let replayed = 0;
    let clock = 0;
    const stop = startReplayProgressReporter({
      progress: () => ({ handled: replayed, replayed, replayTotal: 4_000, caughtUp: false }),
      logger,
      intervalMs: 5_000,
      now: () => clock,
    });
    replayed = 1_000;
    clock = 5_000;
    vi.advanceTimersByTime(5_000);
    expect(lines).toEqual([
      [
        { replayed: 1_000, total: 4_000, percent: 25, perSecond: 200 },
        "replaying telemetry into the embedded history store",
      ],
    ]);
    stop();
    vi.advanceTimersByTime(20_000);
    expect(lines).toHaveLength(1);
  });
});
