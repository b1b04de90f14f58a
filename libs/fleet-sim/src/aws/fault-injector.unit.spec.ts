import { describe, expect, it } from "vitest";
import { createManualClock } from "../testing/manual-clock.ts";
import { createFaultInjector } from "./fault-injector.ts";

describe("createFaultInjector", () => {
  it("throttles the next N matching calls with the service's real code", () => {
    const faults = createFaultInjector(createManualClock().now);
    faults.add({
      service: "ec2",
      action: "DescribeInstances",
      region: "us-east-1",
      kind: "throttle",
      count: 2,
    });
    expect(faults.evaluate("ec2", "DescribeInstances", "eu-west-1").error).toBeUndefined();
    expect(faults.evaluate("ec2", "DescribeInstanceStatus", "us-east-1").error).toBeUndefined();
    const first = faults.evaluate("ec2", "DescribeInstances", "us-east-1").error;
    expect([first?.code, first?.statusCode]).toEqual(["RequestLimitExceeded", 503]);
    expect(faults.evaluate("ec2", "DescribeInstances", "us-east-1").error?.code).toBe("RequestLimitExceeded");
    expect(faults.evaluate("ec2", "DescribeInstances", "us-east-1").error).toBeUndefined();
    expect(faults.list()).toEqual([]);
  });

  it("applies a time window, latency and 5xx errors", () => {
    const clock = createManualClock();
    const faults = createFaultInjector(clock.now);
    faults.add({ service: "cloudwatch", kind: "throttle", durationMs: 1_000 });
    faults.add({ service: "cloudwatch", kind: "latency", latencyMs: 250 });
    const throttled = faults.evaluate("cloudwatch", "GetMetricData", "us-east-1");
    expect([throttled.error?.code, throttled.error?.statusCode, throttled.delayMs]).toEqual([
      "Throttling",
      400,
      250,
    ]);
    clock.advance(1_000);
    expect(faults.evaluate("cloudwatch", "GetMetricData", "us-east-1")).toEqual({ delayMs: 250 });
    faults.clear();
    faults.add({ service: "cloudwatch", kind: "error", count: 1 });
    const failed = faults.evaluate("cloudwatch", "ListMetrics", "us-east-1").error;
    expect([failed?.code, failed?.statusCode]).toEqual(["InternalFailure", 500]);
    faults.add({ service: "ec2", kind: "error", count: 1 });
    expect(faults.evaluate("ec2", "DescribeInstances", "us-east-1").error?.code).toBe("InternalError");
  });

  it("removes a rule by id", () => {
    const faults = createFaultInjector(createManualClock().now);
    const rule = faults.add({ service: "ec2", kind: "throttle" });
    expect(faults.remove(rule.id)).toBe(true);
    expect(faults.evaluate("ec2", "DescribeInstances", "us-east-1").error).toBeUndefined();
  });
});
