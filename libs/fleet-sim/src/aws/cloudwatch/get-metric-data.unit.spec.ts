import { describe, expect, it } from "vitest";
import { createFleetModel } from "../../model/fleet-model.ts";
import { createManualClock } from "../../testing/manual-clock.ts";
import { AwsApiError } from "../aws-api-error.ts";
import { createCallCounters } from "../call-counters.ts";
import { getMetricData } from "./get-metric-data.ts";

const clock = createManualClock();
const fleet = createFleetModel({
  now: clock.now,
  instances: [
    {
      instanceId: "i-0aaaaaaaaaaaaaaaa",
      region: "us-east-1",
      detailedMonitoring: true,
      launchTime: clock.now() - 86_400_000,
    },
  ],
});
const nowSeconds = clock.now() / 1000;

function cpuQuery(id: string, period = 60, stat = "Average") {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: "AWS/EC2",
        MetricName: "CPUUtilization",
        Dimensions: [{ Name: "InstanceId", Value: "i-0aaaaaaaaaaaaaaaa" }],
      },
      Period: period,
      Stat: stat,
    },
  };
}

function run(input: Record<string, unknown>) {
  const counters = createCallCounters();
  const output = getMetricData({ input, region: "us-east-1", fleet, counters }) as {
    MetricDataResults: Array<{ Id: string; Timestamps: number[]; Values: number[]; StatusCode: string }>;
    NextToken?: string;
  };
  return { output, counters };
}

describe("getMetricData", () => {
  it("returns datapoints newest first by default and oldest first with TimestampAscending", () => {
    const window = { StartTime: nowSeconds - 600, EndTime: nowSeconds };
    const { output, counters } = run({ ...window, MetricDataQueries: [cpuQuery("a")] });
    const timestamps = output.MetricDataResults[0]?.Timestamps ?? [];
    expect(timestamps[0]).toBe(nowSeconds - 120);
    expect(timestamps).toEqual([...timestamps].sort((x, y) => y - x));
    expect(counters.snapshot().metricQueries).toBe(1);
    const ascending = run({
      ...window,
      ScanBy: "TimestampAscending",
      MetricDataQueries: [cpuQuery("a")],
    }).output;
    expect(ascending.MetricDataResults[0]?.Timestamps).toEqual([...timestamps].reverse());
  });

  it("aggregates native datapoints into the requested period", () => {
    const window = { StartTime: nowSeconds - 3_600, EndTime: nowSeconds - 1_800 };
    const { output } = run({
      ...window,
      MetricDataQueries: [cpuQuery("five", 300, "SampleCount"), cpuQuery("max", 300, "Maximum")],
    });
    expect(output.MetricDataResults[0]?.Values).toEqual([5, 5, 5, 5, 5, 5]);
    expect(output.MetricDataResults[1]?.Timestamps).toHaveLength(6);
  });

  it("accepts 500 queries and rejects 501 with AWS's error", () => {
    const window = { StartTime: nowSeconds - 600, EndTime: nowSeconds };
    const queries = Array.from({ length: 501 }, (_, i) => cpuQuery(`q${i}`));
    expect(
      run({ ...window, MetricDataQueries: queries.slice(0, 500) }).output.MetricDataResults,
    ).toHaveLength(500);
    try {
      run({ ...window, MetricDataQueries: queries });
      expect.unreachable("501 queries must be rejected");
    } catch (error) {
      expect(error).toBeInstanceOf(AwsApiError);
      expect((error as AwsApiError).code).toBe("InvalidParameterValue");
    }
  });

  it("pages by MaxDatapoints with NextToken and PartialData", () => {
    const window = { StartTime: nowSeconds - 600, EndTime: nowSeconds };
    const queries = [cpuQuery("a"), cpuQuery("b")];
    const first = run({ ...window, MaxDatapoints: 12, MetricDataQueries: queries }).output;
    expect(first.MetricDataResults.map((r) => [r.Id, r.Values.length, r.StatusCode])).toEqual([
      ["a", 9, "Complete"],
      ["b", 3, "PartialData"],
    ]);
    const second = run({
      ...window,
      MaxDatapoints: 12,
      NextToken: first.NextToken,
      MetricDataQueries: queries,
    }).output;
    expect(second.MetricDataResults.map((r) => [r.Id, r.Values.length, r.StatusCode])).toEqual([
      ["b", 6, "Complete"],
    ]);
    expect(second.NextToken).toBeUndefined();
  });

  it("rejects bad ids, missing times and an inverted window", () => {
    const code = (input: Record<string, unknown>) => {
      try {
        run(input);
      } catch (error) {
        return (error as AwsApiError).code;
      }
      return "none";
    };
    expect(code({ StartTime: 1, EndTime: 2, MetricDataQueries: [cpuQuery("Bad")] })).toBe("ValidationError");
    expect(code({ EndTime: 2, MetricDataQueries: [cpuQuery("a")] })).toBe("MissingParameter");
    expect(code({ StartTime: 3, EndTime: 2, MetricDataQueries: [cpuQuery("a")] })).toBe("ValidationError");
    expect(code({ StartTime: 1, EndTime: 2, MetricDataQueries: [cpuQuery("a"), cpuQuery("a")] })).toBe(
      "ValidationError",
    );
  });
});
