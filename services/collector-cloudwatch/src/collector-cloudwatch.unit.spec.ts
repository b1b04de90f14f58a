import { initialWorkerStateFixture } from "@cml-telemetry/scheduling/testing";
import { describe, expect, it } from "vitest";
import { isCloudWatchDue, isCloudWatchEligible, periodOf } from "./cloudwatch-schedule-rules.ts";
import { buildQueries, packRequests, type WorkerMetricRequest } from "./get-metric-data-batcher.ts";
import { isCompleteBucket, isStaleDatapoint, metricWindow } from "./metric-window.ts";

const worker = (status: "RUNNING" | "STOPPED", detailedMonitoring: boolean | null) => ({
  ...initialWorkerStateFixture("11111111-1111-4111-8111-111111111111"),
  status,
  detailedMonitoring,
  cloudwatchMetrics: {
    ...initialWorkerStateFixture("11111111-1111-4111-8111-111111111111").cloudwatchMetrics,
    lastCollectedAt: "2026-11-25T12:00:00.000Z",
  },
});

function request(i: number, memory: boolean): WorkerMetricRequest {
  return {
    target: {
      workerId: `w${i}`,
      region: "us-east-1",
      instanceId: `i-${String(i).padStart(8, "0")}`,
      correlationIds: new Set(),
    },
    periodSeconds: 300,
    memoryDimensions: memory ? [{ Name: "InstanceId", Value: `i-${String(i).padStart(8, "0")}` }] : undefined,
  };
}

describe("scheduling rules", () => {
  it("collects RUNNING workers only, basic monitoring once per 300 s and detailed every 60 s slot", () => {
    expect(isCloudWatchEligible(worker("STOPPED", true))).toBe(false);
    expect(isCloudWatchEligible(undefined)).toBe(false);
    expect(periodOf(worker("RUNNING", null))).toBe(300);
    expect(periodOf(worker("RUNNING", true))).toBe(60);
    const slots = Array.from({ length: 10 }, (_, i) => 1_764_072_000 + i * 60);
    expect(slots.filter((slot) => isCloudWatchDue(worker("RUNNING", false), slot, 60))).toEqual([
      1_764_072_000, 1_764_072_300,
    ]);
    expect(slots.filter((slot) => isCloudWatchDue(worker("RUNNING", true), slot, 60))).toHaveLength(10);
    expect(slots.filter((slot) => isCloudWatchDue(worker("STOPPED", true), slot, 60))).toHaveLength(0);
    // Never collected: due in any slot; slots longer than the period: every slot.
    const fresh = {
      ...worker("RUNNING", false),
      cloudwatchMetrics: initialWorkerStateFixture("x").cloudwatchMetrics,
    };
    expect(isCloudWatchDue(fresh, 1_764_072_060, 60)).toBe(true);
    expect(isCloudWatchDue(worker("RUNNING", false), 1_764_072_600, 600)).toBe(true);
  });
});

describe("metric window", () => {
  it("ends on a whole minute at least 60 s ago and keeps only complete buckets", () => {
    const window = metricWindow(Date.UTC(2026, 10, 25, 12, 7, 30));
    expect(window.endSeconds).toBe(Date.UTC(2026, 10, 25, 12, 6) / 1000);
    expect(window.startSeconds % 300).toBe(0);
    expect(isCompleteBucket(Date.UTC(2026, 10, 25, 12, 5) / 1000, 60, window)).toBe(true);
    expect(isCompleteBucket(Date.UTC(2026, 10, 25, 12, 5) / 1000, 300, window)).toBe(false);
    expect(isCompleteBucket(Date.UTC(2026, 10, 25, 12, 0) / 1000, 300, window)).toBe(true);
  });

  it("calls a datapoint stale when it misses more than one period beyond the newest complete bucket", () => {
    const window = metricWindow(Date.UTC(2026, 10, 25, 12, 7, 30));
    const at = (minute: number) => Date.UTC(2026, 10, 25, 12, minute) / 1000;
    expect(isStaleDatapoint(at(5), 60, window)).toBe(false);
    expect(isStaleDatapoint(at(4), 60, window)).toBe(false);
    expect(isStaleDatapoint(at(3), 60, window)).toBe(true);
    expect(isStaleDatapoint(at(0), 300, window)).toBe(false);
    expect(isStaleDatapoint(at(-5), 300, window)).toBe(false);
    expect(isStaleDatapoint(at(-10), 300, window)).toBe(true);
  });
});

describe("GetMetricData packing", () => {
  it("packs up to 500 queries per call without splitting a worker", () => {
    const packs = packRequests(Array.from({ length: 600 }, (_, i) => request(i, i % 4 !== 0)));
    const sizes = packs.map((pack) => buildQueries(pack).length);
    expect(sizes.every((size) => size <= 500)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(600 + 450);
    expect(packs).toHaveLength(Math.ceil(1050 / 500));
    expect(buildQueries([request(0, true)]).map((q) => q.Id)).toEqual(["c0", "m0"]);
  });
});
