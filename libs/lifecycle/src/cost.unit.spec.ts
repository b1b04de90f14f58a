import { blankWorkerState, type WorkerState } from "@cml-telemetry/contracts";
import { describe, expect, it } from "vitest";
import { costOf, roundCost } from "./cost.ts";
import { addClosedInterval } from "./usage.ts";

function worker(overrides: Partial<WorkerState>): WorkerState {
  return {
    ...blankWorkerState({
      id: "8f0b7a56-3a55-5a41-9a0c-6c1b2f7d9e10",
      region: "us-east-1",
      instanceId: "i-0123456789abcdef0",
      at: "2026-11-01T00:00:00.000Z",
      createdBy: "discovery",
    }),
    ...overrides,
  };
}

describe("month-to-date cost", () => {
  it("matches a hand computation for a known schedule", () => {
    // Schedule in November 2026: ran 08:00–18:00 on the 2nd (10 h) and 09:00–12:30 on the 3rd (3.5 h), stopped by
    // the idle policy at 12:30 on the 3rd, started again at 09:00 on the 4th (20.5 h saved), running since then.
    let usage = addClosedInterval(
      null,
      "runningSeconds",
      "2026-11-02T08:00:00.000Z",
      "2026-11-02T18:00:00.000Z",
    );
    usage = addClosedInterval(
      usage,
      "runningSeconds",
      "2026-11-03T09:00:00.000Z",
      "2026-11-03T12:30:00.000Z",
    );
    usage = addClosedInterval(
      usage,
      "idleStopSavedSeconds",
      "2026-11-03T12:30:00.000Z",
      "2026-11-04T09:00:00.000Z",
    );
    const state = worker({ usage, runningSince: "2026-11-04T09:00:00.000Z", idleStoppedAt: null });
    // At 11:00 on the 4th: 10 + 3.5 + 2 = 15.5 h; m5zn.metal in us-east-1 at $3.9641/h.
    const cost = costOf(state, 3.9641, new Date("2026-11-04T11:00:00.000Z"));
    expect(cost.runningHoursMonthToDate).toBeCloseTo(15.5, 10);
    expect(cost.monthToDateUsd).toBeCloseTo(15.5 * 3.9641, 10); // 61.44355
    expect(cost.savedByIdleStopUsdMonthToDate).toBeCloseTo(20.5 * 3.9641, 10); // 81.26405
    expect(roundCost(cost)).toEqual({
      hourlyUsd: 3.9641,
      runningHoursMonthToDate: 15.5,
      monthToDateUsd: 61.44,
      savedByIdleStopUsdMonthToDate: 81.26,
    });
  });

  it("counts an open idle-stop interval up to now", () => {
    const state = worker({ idleStoppedAt: "2026-11-10T20:00:00.000Z" });
    const cost = costOf(state, 2, new Date("2026-11-11T08:00:00.000Z"));
    expect(cost).toEqual({
      hourlyUsd: 2,
      runningHoursMonthToDate: 0,
      monthToDateUsd: 0,
      savedByIdleStopUsdMonthToDate: 24,
    });
  });

  it("counts only this month: open intervals from its first instant, accumulators of another month as zero", () => {
    const usage = { month: "2026-11", runningSeconds: 36_000, idleStopSavedSeconds: 7200 };
    const state = worker({ usage, runningSince: "2026-11-30T22:00:00.000Z" });
    const cost = costOf(state, 1, new Date("2026-12-01T03:00:00.000Z"));
    expect(cost.runningHoursMonthToDate).toBe(3);
    expect(cost.savedByIdleStopUsdMonthToDate).toBe(0);
  });

  it("has no money figures without a price (never a guess), but still the hours", () => {
    const state = worker({ runningSince: "2026-11-04T09:00:00.000Z" });
    expect(costOf(state, null, new Date("2026-11-04T10:30:00.000Z"))).toEqual({
      hourlyUsd: null,
      runningHoursMonthToDate: 1.5,
      monthToDateUsd: null,
      savedByIdleStopUsdMonthToDate: null,
    });
  });
});

describe("usage accumulators", () => {
  it("split an interval at the UTC month boundary, keeping the part in the month it closed in", () => {
    const usage = addClosedInterval(
      { month: "2026-11", runningSeconds: 100, idleStopSavedSeconds: 50 },
      "runningSeconds",
      "2026-11-30T23:00:00.000Z",
      "2026-12-01T01:00:00.000Z",
    );
    expect(usage).toEqual({ month: "2026-12", runningSeconds: 3600, idleStopSavedSeconds: 0 });
  });

  it("add to the month already accumulated, and ignore an interval closing in an earlier month", () => {
    const november = { month: "2026-11", runningSeconds: 100, idleStopSavedSeconds: 0 };
    expect(
      addClosedInterval(
        november,
        "idleStopSavedSeconds",
        "2026-11-05T00:00:00.000Z",
        "2026-11-05T00:10:00.000Z",
      ),
    ).toEqual({ month: "2026-11", runningSeconds: 100, idleStopSavedSeconds: 600 });
    expect(
      addClosedInterval(november, "runningSeconds", "2026-10-05T00:00:00.000Z", "2026-10-05T00:10:00.000Z"),
    ).toBe(november);
    expect(
      addClosedInterval(november, "runningSeconds", "2026-11-05T00:10:00.000Z", "2026-11-05T00:00:00.000Z"),
    ).toEqual(november);
  });
});
