import { describe, expect, it } from "vitest";
import { createManualClock } from "../testing/manual-clock.ts";
import { createFleetModel, type FleetModelOptions } from "./fleet-model.ts";
import { cpuChangeVisibility, metricsOf, nativeDatapoints, resolveSeries } from "./metric-catalog.ts";

const START = Date.UTC(2026, 0, 15, 12, 0, 0);
const FIXED_DELAY = { lagSeconds: 60, jitterSeconds: 0 };

function fleetWith(spec: FleetModelOptions["instances"]) {
  const clock = createManualClock(START);
  return { clock, fleet: createFleetModel({ now: clock.now, instances: spec }) };
}

const cpuOf = (id: string) => ({
  Namespace: "AWS/EC2",
  MetricName: "CPUUtilization",
  Dimensions: [{ Name: "InstanceId", Value: id }],
});

describe("metric catalog", () => {
  it("publishes 1-minute CPU with detailed monitoring and 5-minute CPU without", () => {
    const { fleet } = fleetWith([
      {
        instanceId: "i-0aaaaaaaaaaaaaaaa",
        region: "us-east-1",
        detailedMonitoring: true,
        launchTime: START - 86_400_000,
      },
      {
        instanceId: "i-0bbbbbbbbbbbbbbbb",
        region: "us-east-1",
        detailedMonitoring: false,
        launchTime: START - 86_400_000,
      },
    ]);
    expect(resolveSeries(fleet, "us-east-1", cpuOf("i-0aaaaaaaaaaaaaaaa"))?.granularitySeconds).toBe(60);
    expect(resolveSeries(fleet, "us-east-1", cpuOf("i-0bbbbbbbbbbbbbbbb"))?.granularitySeconds).toBe(300);
    expect(resolveSeries(fleet, "eu-west-1", cpuOf("i-0aaaaaaaaaaaaaaaa"))).toBeUndefined();
  });

  it("makes a 1-minute datapoint visible two minutes after its period starts", () => {
    const { fleet } = fleetWith([
      {
        instanceId: "i-0aaaaaaaaaaaaaaaa",
        region: "us-east-1",
        detailedMonitoring: true,
        launchTime: START - 86_400_000,
      },
    ]);
    const series = resolveSeries(fleet, "us-east-1", cpuOf("i-0aaaaaaaaaaaaaaaa"));
    if (!series) throw new Error("series expected");
    const now = START / 1000;
    const points = nativeDatapoints(series, now - 600, now, now, FIXED_DELAY);
    expect(points.at(-1)?.timestamp).toBe(now - 120);
    expect(points).toHaveLength(9);
  });

  it("has datapoints only while the instance was running and honours overrides", () => {
    const { fleet, clock } = fleetWith([
      {
        instanceId: "i-0aaaaaaaaaaaaaaaa",
        region: "us-east-1",
        detailedMonitoring: true,
        launchTime: START - 86_400_000,
      },
    ]);
    fleet.update("i-0aaaaaaaaaaaaaaaa", { state: "stopped", cpuOverride: 80 });
    clock.advance(3_600_000);
    const series = resolveSeries(fleet, "us-east-1", cpuOf("i-0aaaaaaaaaaaaaaaa"));
    if (!series) throw new Error("series expected");
    const now = clock.now() / 1000;
    const points = nativeDatapoints(series, now - 7_200, now, now, FIXED_DELAY);
    expect(points.at(-1)?.timestamp).toBe(START / 1000 - 60);
    expect(new Set(points.map((p) => p.value))).toEqual(new Set([80]));
  });

  it("gives a CPU change to the periods that start after it, and says when its first datapoint is visible", () => {
    const { fleet, clock } = fleetWith([
      {
        instanceId: "i-0aaaaaaaaaaaaaaaa",
        region: "us-east-1",
        detailedMonitoring: true,
        launchTime: START - 86_400_000,
      },
    ]);
    clock.advance(30_000);
    const changedAt = clock.now();
    const changed = fleet.update("i-0aaaaaaaaaaaaaaaa", { cpuChange: 91.5 });
    const delay = { lagSeconds: 60, jitterSeconds: 59 };
    const { periodStart, visibleAt } = cpuChangeVisibility(changed, changedAt, delay);
    expect(periodStart).toBe(START + 60_000);
    expect(visibleAt).toBeGreaterThanOrEqual(periodStart + 120_000);
    expect(visibleAt).toBeLessThanOrEqual(periodStart + 179_000);
    const series = resolveSeries(fleet, "us-east-1", cpuOf("i-0aaaaaaaaaaaaaaaa"));
    if (!series) throw new Error("series expected");
    const pointsAt = (nowMs: number) =>
      nativeDatapoints(series, START / 1000 - 600, nowMs / 1000, nowMs / 1000, delay);
    const before = pointsAt(visibleAt - 1_000);
    expect(before.at(-1)?.timestamp).toBeLessThan(periodStart / 1000);
    expect(before.map((p) => p.value)).not.toContain(91.5);
    const after = pointsAt(visibleAt);
    expect(after.at(-1)).toEqual({ timestamp: periodStart / 1000, value: 91.5 });
    expect(after.filter((p) => p.value === 91.5)).toHaveLength(1);
  });

  it("resolves memory only with the agent's exact dimension set", () => {
    const { fleet } = fleetWith([
      { instanceId: "i-0aaaaaaaaaaaaaaaa", region: "us-east-1", agent: "instance-id" },
      {
        instanceId: "i-0bbbbbbbbbbbbbbbb",
        region: "us-east-1",
        agent: "instance-image-type",
        imageId: "ami-01",
        instanceType: "c5.metal",
      },
      { instanceId: "i-0cccccccccccccccc", region: "us-east-1", agent: "none" },
    ]);
    const [a, b, c] = fleet.instances().map((instance) => metricsOf(instance, START));
    expect(a?.map((m) => m.MetricName)).toEqual(["CPUUtilization", "mem_used_percent"]);
    expect(b?.[1]?.Dimensions).toEqual([
      { Name: "InstanceId", Value: "i-0bbbbbbbbbbbbbbbb" },
      { Name: "ImageId", Value: "ami-01" },
      { Name: "InstanceType", Value: "c5.metal" },
    ]);
    expect(c?.map((m) => m.MetricName)).toEqual(["CPUUtilization"]);
    const memory = (dims: Array<{ Name: string; Value: string }>) =>
      resolveSeries(fleet, "us-east-1", {
        Namespace: "CWAgent",
        MetricName: "mem_used_percent",
        Dimensions: dims,
      });
    expect(memory([{ Name: "InstanceId", Value: "i-0aaaaaaaaaaaaaaaa" }])?.kind).toBe("memory");
    expect(memory([{ Name: "InstanceId", Value: "i-0bbbbbbbbbbbbbbbb" }])).toBeUndefined();
    expect(memory(b?.[1]?.Dimensions ?? [])?.kind).toBe("memory");
    expect(memory([{ Name: "InstanceId", Value: "i-0cccccccccccccccc" }])).toBeUndefined();
  });
});
