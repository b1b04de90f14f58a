import type { Instance } from "@aws-sdk/client-ec2";
import { workerIdOf } from "@cml-telemetry/contracts";
import { initialWorkerStateFixture } from "@cml-telemetry/scheduling/testing";
import { describe, expect, it } from "vitest";
import { createAwsCaller } from "./aws-caller.ts";
import { describeAwsFailure } from "./aws-failure.ts";
import { notFoundIds } from "./describe-statuses.ts";
import { discoveryChanged, toDiscoveredData } from "./discovered-data.ts";
import { parseWorkerTag, workerTagFilter } from "./worker-tag.ts";

function awsError(name: string, message = name, fault?: "client" | "server"): Error {
  const error = new Error(message);
  error.name = name;
  Object.assign(error, { $fault: fault });
  return error;
}

describe("worker tag", () => {
  it("filters by key alone or by key and value", () => {
    expect(workerTagFilter(parseWorkerTag("cml:worker"))).toEqual({
      Name: "tag-key",
      Values: ["cml:worker"],
    });
    expect(workerTagFilter(parseWorkerTag("team=cml=lab"))).toEqual({
      Name: "tag:team",
      Values: ["cml=lab"],
    });
    expect(() => parseWorkerTag("=x")).toThrow(/empty key/);
  });
});

describe("discovered data", () => {
  const instance: Instance = {
    InstanceId: "i-0123456789abcdef0",
    ImageId: "ami-1",
    InstanceType: "c5.metal",
    State: { Name: "running" },
    PrivateIpAddress: "10.0.0.1",
    Tags: [
      { Key: "Name", Value: "lab-1" },
      { Key: "cml:worker", Value: "true" },
    ],
    Monitoring: { State: "enabled" },
  };
  const data = toDiscoveredData(instance, "us-east-1", "cml-2.9", new Date("2026-11-25T12:00:00Z"));

  it("maps an instance onto ec2.discovered data", () => {
    expect(data).toMatchObject({
      workerId: workerIdOf("us-east-1", "i-0123456789abcdef0"),
      name: "lab-1",
      publicIp: null,
      detailedMonitoring: true,
      launchTime: null,
      tags: { Name: "lab-1", "cml:worker": "true" },
    });
  });

  it("is a change when the directory lacks the worker or any watched field differs", () => {
    if (!data) throw new Error("no data");
    const state = {
      ...initialWorkerStateFixture(data.workerId),
      name: "lab-1",
      instanceType: "c5.metal",
      amiId: "ami-1",
      amiName: "cml-2.9",
      privateIp: "10.0.0.1",
      status: "RUNNING" as const,
      detailedMonitoring: true,
      tags: { "cml:worker": "true", Name: "lab-1" },
    };
    expect(discoveryChanged(data, undefined)).toBe(true);
    expect(discoveryChanged(data, state)).toBe(false);
    expect(discoveryChanged(data, { ...state, status: "STOPPED" })).toBe(true);
    expect(discoveryChanged(data, { ...state, publicIp: "1.2.3.4" })).toBe(true);
    expect(discoveryChanged(data, { ...state, tags: { Name: "lab-1" } })).toBe(true);
    expect(discoveryChanged(data, { ...state, detailedMonitoring: false })).toBe(true);
  });
});

describe("AWS failures", () => {
  it("classifies throttling and reads NotFound ids", () => {
    expect(describeAwsFailure(awsError("RequestLimitExceeded"))).toMatchObject({
      errorType: "Throttled",
      retryable: true,
    });
    expect(describeAwsFailure(awsError("UnauthorizedOperation", "no", "client"))).toMatchObject({
      errorType: "AwsError",
      retryable: false,
    });
    expect(
      notFoundIds(awsError("InvalidInstanceID.NotFound", "The instance IDs 'i-0aa11, i-0bb22' do not exist")),
    ).toEqual(["i-0aa11", "i-0bb22"]);
    expect(notFoundIds(awsError("InternalError"))).toEqual([]);
  });

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
});
