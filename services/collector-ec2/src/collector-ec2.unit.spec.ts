import type { Instance } from "@aws-sdk/client-ec2";
import { awsError } from "@cml-telemetry/aws/testing";
import { workerIdOf } from "@cml-telemetry/contracts";
import { initialWorkerStateFixture } from "@cml-telemetry/scheduling/testing";
import { describe, expect, it } from "vitest";
import { notFoundIds } from "./describe-statuses.ts";
import { discoveryChanged, toDiscoveredData } from "./discovered-data.ts";
import { parseWorkerTag, workerTagFilter } from "./worker-tag.ts";

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
  it("reads NotFound ids", () => {
    expect(
      notFoundIds(awsError("InvalidInstanceID.NotFound", "The instance IDs 'i-0aa11, i-0bb22' do not exist")),
    ).toEqual(["i-0aa11", "i-0bb22"]);
    expect(notFoundIds(awsError("InternalError"))).toEqual([]);
  });
});
