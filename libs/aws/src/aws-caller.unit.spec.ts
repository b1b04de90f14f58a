import { describe, expect, it } from "vitest";
import { combineAwsCallObservers, createAwsCaller } from "./aws-caller.ts";
import { awsError } from "./testing/aws-error.ts";

describe("AWS caller", () => {
  it("retries a throttled call with growing delays, counting every attempt", async () => {
    const delays: number[] = [];
    const outcomes: string[] = [];
    const caller = createAwsCaller({
      backoff: { retries: 2, baseDelayMs: 100 },
      sleep: async (ms) => {
        delays.push(ms);
      },
      random: () => 1,
      observe: (_action, _region, outcome) => outcomes.push(outcome),
    });
    let attempts = 0;
    const result = await caller.call("DescribeInstances", "us-east-1", async () => {
      attempts++;
      if (attempts < 3) throw awsError("RequestLimitExceeded");
      return "ok";
    });
    expect(result).toBe("ok");
    expect(delays).toEqual([100, 200]);
    expect(outcomes).toEqual(["throttled", "throttled", "success"]);
    await expect(
      caller.call("DescribeInstances", "us-east-1", async () => {
        throw awsError("InternalError");
      }),
    ).rejects.toThrow("InternalError");
    expect(delays).toHaveLength(2);
  });

  it("counts EC2's answer to a permitted dry run as a successful call, and passes it on", async () => {
    const outcomes: string[] = [];
    const caller = createAwsCaller({ observe: (_action, _region, outcome) => outcomes.push(outcome) });
    await expect(
      caller.call("StopInstances", "us-east-1", async () => {
        throw awsError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", "client");
      }),
    ).rejects.toThrow("DryRun flag");
    await expect(
      caller.call("StopInstances", "us-east-1", async () => {
        throw awsError("UnauthorizedOperation", "not authorized", "client");
      }),
    ).rejects.toThrow("not authorized");
    expect(outcomes).toEqual(["success", "error"]);
  });

  it("reports each call to every combined observer and skips absent ones", () => {
    const seen: string[] = [];
    const observe = combineAwsCallObservers(
      (action, region, outcome) => seen.push(`a:${action}:${region}:${outcome}`),
      undefined,
      (action, _region, outcome) => seen.push(`b:${action}:${outcome}`),
    );
    observe("GetMetricData", "eu-west-1", "throttled");
    expect(seen).toEqual(["a:GetMetricData:eu-west-1:throttled", "b:GetMetricData:throttled"]);
  });
});
