import { createMetrics } from "@cml-telemetry/observability";
import { describe, expect, it } from "vitest";
import { createCollectorInstruments } from "./collector-instruments.ts";

const throttled = Object.assign(new Error("Rate exceeded"), { name: "Throttling" });
const noBackoff = { retries: 1, baseDelayMs: 0 };

/** The value of one Prometheus sample line (`name{labels} value`), or undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text
    .split("\n")
    .find(
      (candidate) =>
        candidate.startsWith(`${name}{`) &&
        Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("collector instruments", () => {
  it("without a meter: no metrics, and every AWS call (each throttled attempt too) reaches the observer", async () => {
    const seen: string[] = [];
    const bare = createCollectorInstruments({
      workers: () => [],
      onAwsCall: (action, region, outcome) => seen.push(`${action}:${region}:${outcome}`),
      throttleBackoff: noBackoff,
    });
    expect(bare.metrics).toBeUndefined();
    await expect(bare.caller.call("DescribeInstanceStatus", "us-east-1", async () => 7)).resolves.toBe(7);
    await expect(
      bare.caller.call("GetMetricData", "eu-west-1", async () => {
        throw throttled;
      }),
    ).rejects.toBe(throttled);
    await expect(
      bare.caller.call("DescribeInstances", "us-east-1", async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(seen).toEqual([
      "DescribeInstanceStatus:us-east-1:success",
      "GetMetricData:eu-west-1:throttled",
      "GetMetricData:eu-west-1:throttled",
      "DescribeInstances:us-east-1:error",
    ]);
  });

  it("with a meter: counts AWS calls by action, region and outcome for the metrics and the observer alike", async () => {
    const metrics = await createMetrics({ service: "collector-test", port: 0 });
    const seen: string[] = [];
    const workers = [{ region: "eu-west-1" }, { region: "eu-west-1" }, { region: "us-east-1" }];
    const metered = createCollectorInstruments({
      meter: metrics.meter,
      workers: () => workers,
      onAwsCall: (action, region, outcome) => seen.push(`${action}:${region}:${outcome}`),
      throttleBackoff: noBackoff,
    });
    await metered.caller.call("DescribeInstanceStatus", "us-east-1", async () => "ok");
    await metered.caller.call("DescribeInstanceStatus", "us-east-1", async () => "ok");
    await metered.caller
      .call("GetMetricData", "eu-west-1", async () => {
        throw throttled;
      })
      .catch(() => undefined);
    metered.metrics?.recordCycle("cloudwatch-pass", 1_500, 40);
    metered.metrics?.onOutcome("ack");
    metered.metrics?.onOutcome("ack");
    metered.metrics?.onOutcome("nak");

    const text = await metrics.scrape();
    await metrics.close();
    const calls = (action: string, region: string, outcome: string) =>
      sample(text, "aws_calls_total", { action, region, outcome });
    expect(calls("DescribeInstanceStatus", "us-east-1", "success")).toBe(2);
    expect(calls("GetMetricData", "eu-west-1", "throttled")).toBe(2);
    expect(calls("GetMetricData", "eu-west-1", "success")).toBeUndefined();
    expect(seen).toHaveLength(4);
    expect(sample(text, "collector_workers_seen", { region: "eu-west-1" })).toBe(2);
    expect(sample(text, "collector_workers_seen", { region: "us-east-1" })).toBe(1);
    expect(sample(text, "collect_workers_total", { job: "cloudwatch-pass" })).toBe(40);
    expect(sample(text, "collect_cycle_duration_seconds_sum", { job: "cloudwatch-pass" })).toBe(1.5);
    expect(sample(text, "collect_cycle_duration_seconds_count", { job: "cloudwatch-pass" })).toBe(1);
    expect(sample(text, "commands_handled_total", { outcome: "ack" })).toBe(2);
    expect(sample(text, "commands_handled_total", { outcome: "nak" })).toBe(1);
  });
});
