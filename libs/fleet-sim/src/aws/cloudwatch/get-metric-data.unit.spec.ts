import { describe, expect, it } from "vitest";
import { createFleetModel } from "../../model/fleet-model.ts";
import { createManualClock } from "../../testing/manual-clock.ts";
import { AwsApiError } from "../aws-api-error.ts";
import { createCallCounters } from "../call-counters.ts";
import { createFaultInjector } from "../fault-injector.ts";
import { getMetricData } from "./get-metric-data.ts";

const clock = createManualClock();
const faults = createFaultInjector(clock.now);
// A fixed publish delay keeps the expected timestamps exact; the jittered default has its own test below.
const fleet = createFleetModel({
  now: clock.now,
  realism: { metricLagJitterSeconds: 0 },
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
  const output = getMetricData({ input, region: "us-east-1", fleet, counters, faults }) as {
    MetricDataResults: Array<{
      Id: string;
      Timestamps: number[];
      Values: number[];
      StatusCode: string;
      Messages?: Array<{ Code: string; Value: string }>;
    }>;
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

  it("cloudwatch-publish-delay: a 1-minute period shows 60–119 s after it ends, never the current minute", () => {
    const own = createManualClock(clock.now());
    const jittered = createFleetModel({
      now: own.now,
      instances: [
        {
          instanceId: "i-0aaaaaaaaaaaaaaaa",
          region: "us-east-1",
          detailedMonitoring: true,
          launchTime: own.now() - 86_400_000,
        },
      ],
    });
    const firstSeen = new Map<number, number>();
    for (let second = 0; second <= 600; second++) {
      const at = nowSeconds + second;
      own.set(at * 1000);
      const out = getMetricData({
        input: { StartTime: nowSeconds - 300, EndTime: nowSeconds + 600, MetricDataQueries: [cpuQuery("a")] },
        region: "us-east-1",
        fleet: jittered,
        counters: createCallCounters(),
        faults,
      }) as { MetricDataResults: Array<{ Timestamps: number[] }> };
      for (const t of out.MetricDataResults[0]?.Timestamps ?? []) if (!firstSeen.has(t)) firstSeen.set(t, at);
    }
    // Seconds from the end of each period to its first appearance.
    const delays = [...firstSeen].filter(([t]) => t >= nowSeconds).map(([t, at]) => at - (t + 60));
    expect(delays.length).toBeGreaterThan(5);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(60);
    expect(Math.max(...delays)).toBeLessThan(120);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  it("answers a per-result StatusCode of InternalError or Forbidden without datapoints", () => {
    const window = { StartTime: nowSeconds - 600, EndTime: nowSeconds };
    faults.add({ service: "cloudwatch", kind: "result-status", resultStatus: "Forbidden", count: 1 });
    faults.add({ service: "cloudwatch", kind: "result-status", metricName: "CPUUtilization", count: 1 });
    const { output } = run({ ...window, MetricDataQueries: [cpuQuery("a"), cpuQuery("b"), cpuQuery("c")] });
    expect(output.MetricDataResults.map((r) => [r.Id, r.StatusCode, r.Values.length])).toEqual([
      ["a", "Forbidden", 0],
      ["b", "InternalError", 0],
      ["c", "Complete", 9],
    ]);
    expect(output.MetricDataResults[0]?.Messages?.[0]?.Code).toBe("Forbidden");
    expect(faults.list()).toEqual([]);
  });

  it("cloudwatch-datapoint-limit: cuts a call at maxDatapointsPerCall with PartialData and NextToken", () => {
    fleet.setRealism({ maxDatapointsPerCall: 5 });
    try {
      const window = { StartTime: nowSeconds - 600, EndTime: nowSeconds };
      const first = run({ ...window, MetricDataQueries: [cpuQuery("a")] }).output;
      expect(first.MetricDataResults.map((r) => [r.Values.length, r.StatusCode])).toEqual([
        [5, "PartialData"],
      ]);
      const second = run({
        ...window,
        NextToken: first.NextToken,
        MetricDataQueries: [cpuQuery("a")],
      }).output;
      expect(second.MetricDataResults.map((r) => [r.Values.length, r.StatusCode])).toEqual([[4, "Complete"]]);
    } finally {
      fleet.setRealism({ maxDatapointsPerCall: 100_800 });
    }
  });
});
