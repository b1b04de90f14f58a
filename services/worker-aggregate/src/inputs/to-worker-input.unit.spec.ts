import {
  type CmlCloudEvent,
  commands,
  createEvent,
  telemetry,
  ValidationError,
  workerIdOf,
} from "@cml-telemetry/contracts";
import { describe, expect, it } from "vitest";
import { type TelemetryMessage, telemetryMessage } from "../testing/telemetry-messages.ts";
import {
  cloudwatchData,
  cmlData,
  dateAt,
  discoveredData,
  ec2ActionData,
  ec2StatusData,
  failedData,
  INSTANCE_ID,
  idlePolicyData,
  REGION,
  WORKER_ID,
} from "../testing/worker-fixtures.ts";
import { toWorkerInput } from "./to-worker-input.ts";

/** A worker id that is a valid UUID but not the one of `us-east-1/i-0123456789abcdef0`. */
const OTHER_ID = workerIdOf("eu-west-1", INSTANCE_ID);

const registration = (workerId: string): CmlCloudEvent<unknown> =>
  createEvent(commands.register, {
    source: "api",
    data: { workerId, region: REGION, instanceId: INSTANCE_ID, requestedBy: "ops-team" },
  });

const messages: Array<[string, (workerId: string) => CmlCloudEvent<unknown>]> = [
  ["ec2.discovered", (workerId) => telemetryMessage.discovered(discoveredData({ workerId })).event],
  ["ec2.status", (workerId) => telemetryMessage.ec2Status(ec2StatusData({ workerId })).event],
  ["cloudwatch.metrics", (workerId) => telemetryMessage.cloudwatch(cloudwatchData({ workerId })).event],
  ["cml.metrics", (workerId) => telemetryMessage.cml(cmlData({ workerId })).event],
  [
    "cml.failed",
    (workerId) => (telemetryMessage.failed("cml", failedData({ workerId })) as TelemetryMessage).event,
  ],
  ["register", registration],
  [
    "ec2.action",
    (workerId) =>
      createEvent(telemetry.ec2Action, { source: "worker-lifecycle", data: ec2ActionData({ workerId }) }),
  ],
  [
    "idle-policy skip",
    (workerId) =>
      createEvent(commands.idlePolicy, { source: "worker-lifecycle", data: idlePolicyData({ workerId }) }),
  ],
];

describe("toWorkerInput", () => {
  it.each(messages)("takes %s for the worker its region and instance id name", (_, message) => {
    expect(toWorkerInput(message(WORKER_ID), dateAt(0))).toMatchObject({
      kind: "worker",
      workerId: WORKER_ID,
    });
  });

  it.each(messages)("rejects %s whose workerId is not UUIDv5 of <region>/<instanceId>", (_, message) => {
    const attempt = () => toWorkerInput(message(OTHER_ID), dateAt(0));
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(/workerId/);
    try {
      attempt();
    } catch (error) {
      expect((error as ValidationError).field).toBe("data.workerId");
    }
  });
});
