import { createEvent, telemetry, ValidationError } from "@cml-telemetry/contracts";
import { EC2_STATUS_CODES } from "@cml-telemetry/history-store";
import { CloudEvent } from "cloudevents";
import { describe, expect, it } from "vitest";
import {
  cloudwatchTelemetry,
  cmlTelemetry,
  ec2StatusTelemetry,
  sourceFailedTelemetry,
  testWorker,
} from "../testing/index.ts";
import { telemetryToSample } from "./telemetry-to-sample.ts";

const worker = testWorker(1);
const observedAt = new Date("2026-11-25T12:00:00.000Z");

describe("telemetryToSample", () => {
  it("maps CloudWatch CPU and memory, keyed by the event id and timestamped with observedAt", () => {
    const { event } = cloudwatchTelemetry(worker, observedAt, { cpu: 12.5, memory: 40 });
    expect(telemetryToSample(event)).toEqual({
      id: event.id,
      timestamp: observedAt,
      meta: { workerId: worker.workerId, region: "us-east-1", source: "cloudwatch" },
      cpu: 12.5,
      memory: 40,
    });
  });

  it("omits a null memory value rather than storing 0", () => {
    const sample = telemetryToSample(cloudwatchTelemetry(worker, observedAt, { cpu: 3, memory: null }).event);
    expect(sample).not.toHaveProperty("memory");
    expect(sample?.cpu).toBe(3);
  });

  it("maps CML labs, CPU and memory and leaves the unreported uptime out", () => {
    const { event } = cmlTelemetry(worker, observedAt, {
      labsCount: 4,
      runningLabsCount: 1,
      cpuPercent: 4.2,
      memoryUsedPercent: 16.7,
    });
    const sample = telemetryToSample(event);
    expect(sample).toMatchObject({
      meta: { source: "cml" },
      labsCount: 4,
      runningLabsCount: 1,
      cpuPercent: 4.2,
      memoryUsedPercent: 16.7,
    });
    expect(sample).not.toHaveProperty("uptimeSeconds");
  });

  it("maps the EC2 state onto the numeric status code with the status strings", () => {
    const sample = telemetryToSample(ec2StatusTelemetry(worker, observedAt, "terminated").event);
    expect(sample).toMatchObject({
      meta: { source: "ec2" },
      status: EC2_STATUS_CODES.TERMINATED,
      statusName: "TERMINATED",
      instanceStatus: "not-applicable",
      systemStatus: "not-applicable",
    });
    const running = telemetryToSample(ec2StatusTelemetry(worker, observedAt, "running").event);
    expect(running).toMatchObject({ status: EC2_STATUS_CODES.RUNNING, instanceStatus: "ok" });
  });

  it("produces no sample for discovery and failure events", () => {
    const discovered = createEvent(telemetry.ec2Discovered, {
      source: "collector-ec2",
      data: telemetry.ec2Discovered.example,
    });
    expect(telemetryToSample(discovered)).toBeUndefined();
    for (const source of ["ec2", "cloudwatch", "cml"] as const) {
      expect(telemetryToSample(sourceFailedTelemetry(worker, source, observedAt).event)).toBeUndefined();
    }
  });

  it("ignores a newer telemetry type of this system but rejects a foreign type", () => {
    const base = { specversion: "1.0", id: "x-1", source: "/cml-telemetry/collector-ec2", data: {} };
    expect(
      telemetryToSample(new CloudEvent({ ...base, type: "io.cml-telemetry.ec2.cost.v1" })),
    ).toBeUndefined();
    expect(() => telemetryToSample(new CloudEvent({ ...base, type: "com.example.other.v1" }))).toThrow(
      ValidationError,
    );
  });

  it("rejects invalid data naming the field", () => {
    const { event } = cloudwatchTelemetry(worker, observedAt, { cpu: 1, memory: 1 });
    const broken = event.cloneWith({ data: { ...(event.data as object), cpuUtilization: 180 } });
    try {
      telemetryToSample(broken);
      expect.unreachable("invalid data must throw");
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe("data.cpuUtilization");
    }
  });
});
