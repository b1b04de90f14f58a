import { describe, expect, it } from "vitest";
import { createFleetModel } from "../../model/fleet-model.ts";
import { createManualClock } from "../../testing/manual-clock.ts";
import { createCallCounters } from "../call-counters.ts";
import { createFaultInjector } from "../fault-injector.ts";
import { listMetrics } from "./list-metrics.ts";

const fleet = createFleetModel({
  seed: 2,
  workers: 600,
  regions: ["us-east-1"],
  now: createManualClock().now,
});

function page(input: Record<string, unknown>) {
  return listMetrics({
    input,
    region: "us-east-1",
    fleet,
    counters: createCallCounters(),
    faults: createFaultInjector(),
  }) as {
    Metrics: Array<{
      Namespace: string;
      MetricName: string;
      Dimensions: Array<{ Name: string; Value: string }>;
    }>;
    NextToken?: string;
  };
}

describe("listMetrics", () => {
  it("pages 500 metrics at a time", () => {
    const first = page({ Namespace: "AWS/EC2" });
    expect(first.Metrics).toHaveLength(500);
    const second = page({ Namespace: "AWS/EC2", NextToken: first.NextToken });
    const withData = fleet.instances().filter((i) => i.runs.length > 0).length;
    expect(second.Metrics).toHaveLength(withData - 500);
    expect(second.NextToken).toBeUndefined();
  });

  it("filters by dimension name and value", () => {
    const withImage = page({ Namespace: "CWAgent", Dimensions: [{ Name: "ImageId" }] });
    expect(withImage.Metrics.length).toBeGreaterThan(0);
    expect(withImage.Metrics.every((m) => m.Dimensions.length >= 3)).toBe(true);
    const id = fleet.instances()[0]?.instanceId ?? "";
    const one = page({ Dimensions: [{ Name: "InstanceId", Value: id }] });
    expect(one.Metrics.every((m) => m.Dimensions.some((d) => d.Value === id))).toBe(true);
  });

  it("keeps a series without new data listed for 14 days after a resize; RecentlyActive=PT3H hides it", () => {
    const clock = createManualClock();
    const resized = createFleetModel({
      now: clock.now,
      instances: [
        {
          instanceId: "i-0aaaaaaaaaaaaaaaa",
          region: "us-east-1",
          instanceType: "c5.2xlarge",
          launchTime: clock.now() - 86_400_000,
        },
      ],
    });
    const list = (input: Record<string, unknown>) =>
      (
        listMetrics({
          input: { Namespace: "CWAgent", MetricName: "mem_used_percent", ...input },
          region: "us-east-1",
          fleet: resized,
          counters: createCallCounters(),
          faults: createFaultInjector(clock.now),
        }) as { Metrics: Array<{ Dimensions: Array<{ Name: string; Value: string }> }> }
      ).Metrics.map((m) => m.Dimensions.find((d) => d.Name === "InstanceType")?.Value);
    resized.update("i-0aaaaaaaaaaaaaaaa", { action: "stop" });
    clock.advance(60_000);
    resized.update("i-0aaaaaaaaaaaaaaaa", { instanceType: "c5.4xlarge", action: "start" });
    clock.advance(120_000);
    expect(list({})).toEqual(["c5.2xlarge", "c5.4xlarge"]);
    expect(list({ RecentlyActive: "PT3H" })).toEqual(["c5.2xlarge", "c5.4xlarge"]);
    clock.advance(3 * 3_600_000);
    expect(list({ RecentlyActive: "PT3H" })).toEqual(["c5.4xlarge"]);
    expect(list({})).toEqual(["c5.2xlarge", "c5.4xlarge"]);
    clock.advance(14 * 86_400_000);
    expect(list({})).toEqual(["c5.4xlarge"]);
    expect(() => list({ RecentlyActive: "PT1H" })).toThrow(/recentlyActive/);
  });
});
