import { z } from "zod";
import {
  commandReasonSchema,
  idleStopModeSchema,
  idleStopSkipReasonSchema,
  lifecycleActionSchema,
  lifecycleReasonSchema,
} from "./enums.ts";
import { lifecycleRequestIdSchema, requestedBySchema } from "./lifecycle.ts";
import { defineMessage } from "./message-definition.ts";
import {
  httpsEndpointSchema,
  instanceIdSchema,
  nonNegativeIntSchema,
  regionSchema,
  timestampSchema,
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

export const lifecycleCommandSchema = z.object({
  workerId: workerIdSchema,
  region: regionSchema,
  instanceId: instanceIdSchema,
  action: lifecycleActionSchema,
  requestedBy: requestedBySchema,
  reason: lifecycleReasonSchema,
  dryRun: z.boolean().describe("Ask EC2 with `DryRun=true`: checks the permission, changes nothing"),
  requestId: lifecycleRequestIdSchema,
});
export type LifecycleCommand = z.infer<typeof lifecycleCommandSchema>;

export const idlePolicyCommandSchema = z.object({
  workerId: workerIdSchema,
  region: regionSchema,
  instanceId: instanceIdSchema,
  decision: z.literal("skip").describe("The policy left the idle worker running"),
  reason: idleStopSkipReasonSchema,
  mode: idleStopModeSchema.describe("`IDLE_STOP_MODE` of the pass that decided"),
  idleSince: timestampSchema.describe("Start of the idle period the decision is about"),
  evaluatedAt: timestampSchema,
});
export type IdlePolicyCommand = z.infer<typeof idlePolicyCommandSchema>;

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
  lifecycle: defineMessage({
    type: "io.cml-telemetry.command.lifecycle.v1",
    kind: "command",
    schema: lifecycleCommandSchema,
    channel: "cml.cmd.lifecycle.{action}.{workerId}",
    description:
      "Start, stop or terminate one worker's instance (worker-lifecycle), executed once per request. Nats-Msg-Id `lifecycle:<workerId>:<action>:<requestId>`; the outcome comes back as `ec2.action` telemetry.",
    example: {
      ...exampleWorker,
      action: "stop",
      requestedBy: "ops-team",
      reason: "operator",
      dryRun: false,
      requestId: "4c0e1f5a-6d3b-4a8e-9f21-0b7c5d2e8a91",
    },
  }),
  idlePolicy: defineMessage({
    type: "io.cml-telemetry.command.idle_policy.v1",
    kind: "command",
    schema: idlePolicyCommandSchema,
    channel: "cml.cmd.worker.idle-policy.{workerId}",
    description:
      "The idle auto-stop policy left an idle worker running (worker-aggregate records it as `idle_stop_skipped`, once per idle period).",
    example: {
      ...exampleWorker,
      decision: "skip",
      reason: "exempt",
      mode: "on",
      idleSince: "2026-11-25T11:00:00.000Z",
      evaluatedAt: "2026-11-25T12:00:00.000Z",
    },
  }),
} as const;
