import type { Instance } from "@aws-sdk/client-ec2";
import { awsError } from "@cml-telemetry/aws/testing";
import { type WorkerState, workerIdOf } from "@cml-telemetry/contracts";
import { initialWorkerStateFixture } from "@cml-telemetry/scheduling/testing";
import { describe, expect, it } from "vitest";
import { imageIdsBlamed } from "./ami-name-cache.ts";
import { instanceIdsBlamed } from "./describe-statuses.ts";
import { discoveryChanged, toDiscoveredData } from "./discovered-data.ts";
import { notFoundVerdict } from "./not-found-grace.ts";
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
  it("reads the ids EC2's NotFound and Malformed errors blame", () => {
    expect(
      instanceIdsBlamed(
        awsError("InvalidInstanceID.NotFound", "The instance IDs 'i-0aa11, i-0bb22' do not exist"),
      ),
    ).toEqual({ reason: "not_found", ids: ["i-0aa11", "i-0bb22"] });
    expect(instanceIdsBlamed(awsError("InvalidInstanceID.Malformed", 'Invalid id: "i-0123456789"'))).toEqual({
      reason: "malformed_id",
      ids: ["i-0123456789"],
    });
    expect(instanceIdsBlamed(awsError("InternalError"))).toBeUndefined();
    expect(
      imageIdsBlamed(
        awsError("InvalidAMIID.NotFound", "The image ids '[ami-0aa11, ami-0bb22]' do not exist"),
      ),
    ).toEqual({ reason: "InvalidAMIID.NotFound", ids: ["ami-0aa11", "ami-0bb22"] });
    expect(imageIdsBlamed(awsError("RequestLimitExceeded"))).toBeUndefined();
  });
});

describe("NotFound grace", () => {
  const start = Date.UTC(2026, 10, 25, 12);
  const seen: WorkerState = {
    ...initialWorkerStateFixture("w"),
    ec2Metrics: {
      ...initialWorkerStateFixture("w").ec2Metrics,
      lastCheckedAt: "2026-11-25T11:59:00.000Z",
    },
  };
  const verdict = (worker: WorkerState | undefined, afterMs: number) =>
    notFoundVerdict({ worker, sinceMs: start, nowMs: start + afterMs, graceMs: 900_000 });

  it("terminates a worker seen existing only once NotFound has lasted the grace", () => {
    expect(verdict(seen, 0)).toEqual({ terminate: false, seenExisting: true, sinceMs: start });
    expect(verdict(seen, 899_999).terminate).toBe(false);
    expect(verdict(seen, 900_000).terminate).toBe(true);
    expect(
      verdict(
        {
          ...seen,
          ec2Metrics: initialWorkerStateFixture("w").ec2Metrics,
          lastDiscoveredAt: "2026-11-25T11:00:00.000Z",
        },
        900_000,
      ).terminate,
    ).toBe(true);
  });

  it("never terminates a worker never seen existing (wrong id or region)", () => {
    expect(verdict(initialWorkerStateFixture("w"), 86_400_000)).toMatchObject({
      terminate: false,
      seenExisting: false,
    });
    expect(verdict(undefined, 86_400_000).terminate).toBe(false);
  });
});
