import { describe, expect, it } from "vitest";
import {
  parseCollectSubject,
  parseIdlePolicySubject,
  parseLifecycleSubject,
  parseTelemetrySubject,
  parseWorkerEventSubject,
  subjects,
} from "./subjects.ts";
import { createTopology } from "./topology.ts";

describe("subjects", () => {
  const id = "8f0b7a56-3a55-5a41-9a0c-6c1b2f7d9e10";
  it("builds and parses the DESIGN §4 subjects", () => {
    expect(subjects.telemetry("cloudwatch", id)).toBe(`cml.telemetry.cloudwatch.${id}`);
    expect(parseTelemetrySubject(subjects.telemetry("cml", id))).toEqual({ source: "cml", workerId: id });
    expect(subjects.collect("ec2", id)).toBe(`cml.cmd.collect.ec2.${id}`);
    expect(parseCollectSubject(subjects.collect("ec2", id))).toEqual({ source: "ec2", workerId: id });
    expect(subjects.discover("eu-west-1")).toBe("cml.cmd.discover.ec2.eu-west-1");
    expect(parseWorkerEventSubject(subjects.workerEvent(id, "status_changed"))).toEqual({
      workerId: id,
      eventName: "status_changed",
    });
    expect(subjects.opsJob("collector-cml")).toBe("cml.ops.collector-cml.job");
    expect(subjects.opsPass("collector-ec2", "us-east-1", 1_764_072_000)).toBe(
      "cml.ops.collector-ec2.pass.us-east-1.1764072000",
    );
    expect(() => subjects.opsPass("collector-ec2", "us.east", 1)).toThrow(TypeError);
    expect(parseTelemetrySubject("cml.worker.x.y")).toBeUndefined();
  });
  it("builds and parses the lifecycle subjects of DESIGN §11", () => {
    expect(subjects.lifecycle("terminate", id)).toBe(`cml.cmd.lifecycle.terminate.${id}`);
    expect(parseLifecycleSubject(subjects.lifecycle("stop", id))).toEqual({ action: "stop", workerId: id });
    expect(parseLifecycleSubject(subjects.collect("ec2", id))).toBeUndefined();
    expect(subjects.lifecycleAll).toBe("cml.cmd.lifecycle.>");
    // Inside the aggregate's own command subjects, so its existing consumer receives it.
    expect(subjects.idlePolicy(id)).toBe(`cml.cmd.worker.idle-policy.${id}`);
    expect(subjects.idlePolicy(id).startsWith(subjects.workerCommandsAll.slice(0, -1))).toBe(true);
    expect(parseIdlePolicySubject(subjects.idlePolicy(id))).toEqual({ workerId: id });
    expect(parseIdlePolicySubject(subjects.register(id))).toBeUndefined();
    expect(() => subjects.lifecycle("stop", "*")).toThrow(TypeError);
  });
  it("refuses tokens that would widen a subscription", () => {
    expect(() => subjects.telemetry("ec2", "a.b")).toThrow(TypeError);
    expect(() => subjects.workerEvent("*", "x")).toThrow(TypeError);
    expect(() => subjects.discover(">")).toThrow(TypeError);
  });
});

describe("topology", () => {
  it("matches DESIGN §4 and prefixes only names", () => {
    const topology = createTopology({ namePrefix: "T1_", telemetryRetentionDays: 3 });
    expect(topology.streams.commands).toMatchObject({
      name: "T1_CML_COMMANDS",
      retention: "workqueue",
      maxAgeSeconds: 3600,
    });
    expect(topology.streams.telemetry).toMatchObject({
      subjects: ["cml.telemetry.>"],
      maxAgeSeconds: 3 * 86_400,
      duplicateWindowSeconds: 120,
    });
    expect(topology.streams.workerEvents.maxAgeSeconds).toBe(30 * 86_400);
    expect(topology.streams.ops.maxAgeSeconds).toBe(7 * 86_400);
    expect(topology.kv.workers).toMatchObject({ bucket: "T1_cml_workers", history: 1 });
    expect(topology.kv.workers.maxAgeSeconds).toBeUndefined();
    expect(topology.kv.lifecycleRequests).toMatchObject({
      bucket: "T1_cml_lifecycle_requests",
      history: 1,
      maxAgeSeconds: 86_400,
    });
    expect(topology.kv.prices).toMatchObject({ bucket: "T1_cml_prices", history: 1 });
    expect(topology.kv.prices.maxAgeSeconds).toBeUndefined();
    expect(topology.kv.refreshes).toMatchObject({
      bucket: "T1_cml_api_refreshes",
      history: 1,
      maxAgeSeconds: 3600,
    });
  });
});
