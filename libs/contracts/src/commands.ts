import { z } from "zod";
import { commandReasonSchema } from "./enums.ts";
import { defineMessage } from "./message-definition.ts";
import {
  httpsEndpointSchema,
  instanceIdSchema,
  nonNegativeIntSchema,
  regionSchema,
  workerIdSchema,
} from "./primitives.ts";

const slotSchema = nonNegativeIntSchema.describe("Start of the schedule slot, epoch seconds");

export const discoverCommandSchema = z.object({
  region: regionSchema,
  reason: commandReasonSchema,
  slot: slotSchema.optional(),
});
export type DiscoverCommand = z.infer<typeof discoverCommandSchema>;

export const collectCommandSchema = z.object({
  workerId: workerIdSchema,
  region: regionSchema,
  instanceId: instanceIdSchema,
  httpsEndpoint: httpsEndpointSchema.optional(),
  reason: commandReasonSchema,
  slot: slotSchema.optional(),
});
export type CollectCommand = z.infer<typeof collectCommandSchema>;

export const registerWorkerCommandSchema = z.object({
  workerId: workerIdSchema,
  region: regionSchema,
  instanceId: instanceIdSchema,
  name: z.string().min(1).max(255).optional(),
  httpsEndpoint: httpsEndpointSchema.optional(),
  requestedBy: z.string().min(1).max(255).describe("Who asked (API token name or `discovery`)"),
});
export type RegisterWorkerCommand = z.infer<typeof registerWorkerCommandSchema>;

export const detectIdleCommandSchema = z.object({
  slot: slotSchema,
});
export type DetectIdleCommand = z.infer<typeof detectIdleCommandSchema>;

const exampleWorker = {
  workerId: "8f0b7a56-3a55-5a41-9a0c-6c1b2f7d9e10",
  region: "us-east-1",
  instanceId: "i-0123456789abcdef0",
};

export const commands = {
  discover: defineMessage({
    type: "io.cml-telemetry.command.discover.v1",
    kind: "command",
    schema: discoverCommandSchema,
    channel: "cml.cmd.discover.ec2.{region}",
    description: "Discover the tagged CML workers of one region (collector-ec2).",
    example: { region: "us-east-1", reason: "schedule", slot: 1_764_072_000 },
  }),
  collect: defineMessage({
    type: "io.cml-telemetry.command.collect.v1",
    kind: "command",
    schema: collectCommandSchema,
    channel: "cml.cmd.collect.{source}.{workerId}",
    description:
      "Collect one source for one worker. Scheduled commands use Nats-Msg-Id `<source>:<workerId>:<slotStartEpoch>`; refresh commands carry a correlationid.",
    example: { ...exampleWorker, httpsEndpoint: "https://203.0.113.10", reason: "refresh" },
  }),
  register: defineMessage({
    type: "io.cml-telemetry.command.register.v1",
    kind: "command",
    schema: registerWorkerCommandSchema,
    channel: "cml.cmd.worker.register.{workerId}",
    description: "Register an existing EC2 instance as a CML worker (worker-aggregate).",
    example: { ...exampleWorker, name: "cml-lab-01", requestedBy: "ops-team" },
  }),
  detectIdle: defineMessage({
    type: "io.cml-telemetry.command.detect_idle.v1",
    kind: "command",
    schema: detectIdleCommandSchema,
    channel: "cml.cmd.worker.detect-idle",
    description: "Periodic idle-detection tick (worker-aggregate), deduplicated per slot across replicas.",
    example: { slot: 1_764_072_000 },
  }),
} as const;
