import { describe, expect, it } from "vitest";
import { createFleetModel } from "../../model/fleet-model.ts";
import { createManualClock } from "../../testing/manual-clock.ts";
import { createCallCounters } from "../call-counters.ts";
import { listMetrics } from "./list-metrics.ts";

const fleet = createFleetModel({
  seed: 2,
  workers: 600,
  regions: ["us-east-1"],
  now: createManualClock().now,
});

function page(input: Record<string, unknown>) {
  return listMetrics({ input, region: "us-east-1", fleet, counters: createCallCounters() }) as {
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
    expect(withImage.Metrics.every((m) => m.Dimensions.length === 3)).toBe(true);
    const id = fleet.instances()[0]?.instanceId ?? "";
    const one = page({ Dimensions: [{ Name: "InstanceId", Value: id }] });
    expect(one.Metrics.every((m) => m.Dimensions.some((d) => d.Value === id))).toBe(true);
  });
});
