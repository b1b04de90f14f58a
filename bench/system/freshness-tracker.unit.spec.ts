import { describe, expect, it } from "vitest";
import { createFreshnessTracker, type ExpectedChange } from "./freshness-tracker.ts";
import type { FeedEvent } from "./sse-feed.ts";

const event = (
  workerId: string,
  name: string,
  data: Record<string, unknown>,
  receivedAt: number,
): FeedEvent => ({
  name,
  workerId,
  correlationId: undefined,
  data,
  receivedAt,
});

const labChange = (workerId: string, from: number, running: number): ExpectedChange => ({
  source: "cml",
  workerId,
  what: `running labs → ${running}`,
  from,
  matches: (candidate) =>
    candidate.name === "cml_metrics_updated" && candidate.data.runningLabsCount === running,
});

describe("freshness tracker", () => {
  it("times a change from when it could be seen to the first event showing it, on the simulator's clock", async () => {
    // The simulator's clock is 2 s ahead of this process.
    const tracker = createFreshnessTracker(2_000);
    const change = labChange("w1", 10_000, 3);
    tracker.expect(change);
    const seen = tracker.whenSeen(change, 60_000);
    tracker.onEvent(event("w1", "cml_metrics_updated", { runningLabsCount: 2 }, 20_000));
    tracker.onEvent(event("w2", "cml_metrics_updated", { runningLabsCount: 3 }, 21_000));
    expect(tracker.outstanding()).toBe(1);
    tracker.onEvent(event("w1", "cml_metrics_updated", { runningLabsCount: 3 }, 38_000));
    expect(await seen).toBe(true);
    expect(tracker.results()).toEqual({
      seconds: { ec2: [], cloudwatch: [], cml: [30] },
      missed: { ec2: 0, cloudwatch: 0, cml: 0 },
    });
    expect(tracker.latestFrom()).toBe(10_000);
  });

  it("counts what never showed as missed, and settles at its deadline", async () => {
    const tracker = createFreshnessTracker(0);
    tracker.expect(labChange("w1", 1_000, 1));
    await tracker.settle(Date.now() + 20);
    expect(tracker.results().missed.cml).toBe(1);
    expect(tracker.unseen().map((change) => change.workerId)).toEqual(["w1"]);
  });
});
