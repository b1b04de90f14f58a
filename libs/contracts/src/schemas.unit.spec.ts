import { describe, expect, it } from "vitest";
import { createEvent, decodeEvent, parseEventData } from "./cloud-event.ts";
import { commands } from "./commands.ts";
import { domainEventNameOfType, domainEvents } from "./domain-events.ts";
import { workerStatusFromInstanceState } from "./enums.ts";
import { ValidationError } from "./errors.ts";
import { historyQueries } from "./history-query.ts";
import { telemetry } from "./telemetry.ts";
import { workerIdOf } from "./worker-id.ts";

function fieldOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("field rules", () => {
  const cw = telemetry.cloudwatchMetrics;
  it("rejects a percentage above 100", () => {
    expect(
      fieldOf(() =>
        createEvent(cw, { source: "collector-cloudwatch", data: { ...cw.example, cpuUtilization: 140 } }),
      ),
    ).toBe("data.cpuUtilization");
  });
  it("keeps memory null (no agent) distinct from 0", () => {
    const event = createEvent(cw, {
      source: "collector-cloudwatch",
      data: { ...cw.example, memoryUtilization: null },
    });
    expect(event.data?.memoryUtilization).toBeNull();
  });
  it("rejects timestamps with an offset other than UTC Z", () => {
    const data = { ...telemetry.ec2Status.example, observedAt: "2026-11-25T12:00:00+02:00" };
    expect(fieldOf(() => createEvent(telemetry.ec2Status, { source: "collector-ec2", data }))).toBe(
      "data.observedAt",
    );
  });
  it("rejects unknown status check values and bad region or instance ids", () => {
    const base = telemetry.ec2Status.example;
    expect(
      fieldOf(() =>
        createEvent(telemetry.ec2Status, {
          source: "collector-ec2",
          data: { ...base, instanceStatus: "fine" as never },
        }),
      ),
    ).toBe("data.instanceStatus");
    expect(
      fieldOf(() =>
        createEvent(telemetry.ec2Status, { source: "collector-ec2", data: { ...base, region: "Mars" } }),
      ),
    ).toBe("data.region");
    expect(
      fieldOf(() =>
        createEvent(telemetry.ec2Status, { source: "collector-ec2", data: { ...base, instanceId: "vm-1" } }),
      ),
    ).toBe("data.instanceId");
  });
  it("requires https endpoints on collect commands", () => {
    const data = { ...commands.collect.example, httpsEndpoint: "http://203.0.113.1" };
    expect(fieldOf(() => createEvent(commands.collect, { source: "api", data }))).toBe("data.httpsEndpoint");
  });
  it("validates history query ranges", () => {
    const data = { ...historyQueries.request.example, from: "2026-11-26T00:00:00.000Z" };
    expect(fieldOf(() => createEvent(historyQueries.request, { source: "api", data }))).toBe("data.from");
    const tooLong = { ...historyQueries.request.example, from: "2026-01-01T00:00:00.000Z" };
    expect(fieldOf(() => createEvent(historyQueries.request, { source: "api", data: tooLong }))).toBe(
      "data.to",
    );
  });
});

describe("decoding", () => {
  it("rejects bad JSON, non-CloudEvents and wrong types with a ValidationError", () => {
    expect(() => decodeEvent("{not json")).toThrow(ValidationError);
    expect(() => decodeEvent(JSON.stringify({ hello: 1 }))).toThrow(ValidationError);
    expect(
      fieldOf(() => decodeEvent(JSON.stringify({ specversion: "1.0", type: "x", source: "/s" }))),
    ).not.toBeUndefined();
    const event = createEvent(telemetry.ec2Status, {
      source: "collector-ec2",
      data: telemetry.ec2Status.example,
    });
    expect(fieldOf(() => parseEventData(telemetry.cmlMetrics, event))).toBe("type");
  });
  it("names the data field of a wrong-schema message", () => {
    const wire = JSON.stringify({
      specversion: "1.0",
      id: "1",
      source: "/cml-telemetry/collector-ec2",
      type: telemetry.ec2Status.type,
      data: { ...telemetry.ec2Status.example, systemStatus: 3 },
    });
    expect(fieldOf(() => parseEventData(telemetry.ec2Status, decodeEvent(wire)))).toBe("data.systemStatus");
  });
});

describe("domain helpers", () => {
  it("derives worker status from every EC2 state name", () => {
    expect(
      ["pending", "running", "stopping", "stopped", "shutting-down", "terminated", "rebooting"].map(
        workerStatusFromInstanceState,
      ),
    ).toEqual(["PENDING", "RUNNING", "STOPPING", "STOPPED", "SHUTTING_DOWN", "TERMINATED", "UNKNOWN"]);
  });
  it("gives the same worker id for the same region/instance and different ones otherwise", () => {
    expect(workerIdOf("us-east-1", "i-0abc12345")).toBe(workerIdOf("us-east-1", "i-0abc12345"));
    expect(workerIdOf("us-east-1", "i-0abc12345")).not.toBe(workerIdOf("eu-west-1", "i-0abc12345"));
    expect(workerIdOf("us-east-1", "i-0abc12345")).toMatch(/^[0-9a-f-]{8}-[0-9a-f-]{4}-5/);
  });
  it("maps CloudEvent types back to domain event names", () => {
    expect(domainEventNameOfType(domainEvents.status_changed.type)).toBe("status_changed");
    for (const [name, definition] of Object.entries(domainEvents)) {
      expect(domainEventNameOfType(definition.type)).toBe(name);
    }
    expect(domainEventNameOfType("io.cml-telemetry.worker.nope.v1")).toBeUndefined();
  });
});
