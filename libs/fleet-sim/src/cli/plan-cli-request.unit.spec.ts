import { describe, expect, it } from "vitest";
import { CliUsageError, planCliRequest } from "./plan-cli-request.ts";

describe("planCliRequest", () => {
  it("maps set key=value pairs onto an instance patch", () => {
    expect(
      planCliRequest([
        "set",
        "cml-worker-01",
        "state=stopped",
        "cpu=80",
        "memory=auto",
        "monitoring=on",
        "tag.Team=",
        "tag.Owner=ops",
      ]),
    ).toEqual({
      method: "PATCH",
      path: "/instances/cml-worker-01",
      body: {
        state: "stopped",
        cpuOverride: 80,
        memoryOverride: null,
        detailedMonitoring: true,
        tags: { Team: null, Owner: "ops" },
      },
    });
  });

  it("sends cml.* settings to the CML server of the instance", () => {
    expect(planCliRequest(["set", "i-0abc", "cml.mode=slow", "cml.slowMs=2000", "cml.ready=false"])).toEqual({
      method: "PATCH",
      path: "/instances/i-0abc/cml",
      body: { mode: "slow", slowMs: 2000, ready: false },
    });
  });

  it("builds fault rules from positional arguments and options", () => {
    expect(planCliRequest(["faults", "throttle", "ec2", "DescribeInstances", "2"])).toEqual({
      method: "POST",
      path: "/faults",
      body: { service: "ec2", kind: "throttle", action: "DescribeInstances", count: 2 },
    });
    expect(planCliRequest(["faults", "latency", "cloudwatch", "500", "region=eu-west-1", "for=30"])).toEqual({
      method: "POST",
      path: "/faults",
      body: {
        service: "cloudwatch",
        kind: "latency",
        latencyMs: 500,
        region: "eu-west-1",
        durationMs: 30_000,
      },
    });
    expect(planCliRequest(["faults", "clear"])).toEqual({ method: "DELETE", path: "/faults" });
    expect(planCliRequest(["faults", "deny", "ec2", "StopInstances"])).toEqual({
      method: "POST",
      path: "/faults",
      body: { service: "ec2", kind: "deny", action: "StopInstances" },
    });
    expect(planCliRequest(["faults", "throttle", "pricing", "GetProducts", "2"]).body).toEqual({
      service: "pricing",
      kind: "throttle",
      action: "GetProducts",
      count: 2,
    });
  });

  it("covers listing, lifecycle shortcuts, add and calls", () => {
    expect(planCliRequest(["list", "eu-west-1"]).path).toBe("/fleet?region=eu-west-1");
    expect(planCliRequest(["stop", "w1"])).toEqual({
      method: "PATCH",
      path: "/instances/w1",
      body: { action: "stop" },
    });
    expect(planCliRequest(["add", "us-east-1", "name=new", "worker=true"])).toEqual({
      method: "POST",
      path: "/instances",
      body: { region: "us-east-1", worker: true, tags: { Name: "new" } },
    });
    expect(planCliRequest(["calls", "reset"])).toEqual({ method: "DELETE", path: "/calls" });
  });

  it("moves the clock and changes AMIs", () => {
    expect(planCliRequest(["clock"])).toEqual({ method: "GET", path: "/clock" });
    expect(planCliRequest(["clock", "+900"])).toEqual({
      method: "POST",
      path: "/clock",
      body: { advanceSeconds: 900 },
    });
    expect(() => planCliRequest(["clock", "900"])).toThrow(/\+<seconds>/);
    expect(planCliRequest(["image", "ami-0aaaaaaaaaaaaaaaa", "deregistered", "eu-west-1"])).toEqual({
      method: "PATCH",
      path: "/images/ami-0aaaaaaaaaaaaaaaa",
      body: { state: "deregistered", region: "eu-west-1" },
    });
    expect(() => planCliRequest(["image", "ami-0aaaaaaaaaaaaaaaa"])).toThrow(CliUsageError);
  });

  it("rejects bad usage with a clear error", () => {
    expect(() => planCliRequest(["set", "w1", "colour=red"])).toThrow(CliUsageError);
    expect(() => planCliRequest(["set", "w1", "cpu=lots"])).toThrow(/cpu must be a number/);
    expect(() => planCliRequest(["faults", "throttle", "s3"])).toThrow(/ec2, cloudwatch or pricing/);
    expect(() => planCliRequest(["frobnicate"])).toThrow(/Unknown command/);
  });
});
