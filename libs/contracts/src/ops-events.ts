import { z } from "zod";
import { defineMessage } from "./message-definition.ts";
import { nonNegativeIntSchema } from "./primitives.ts";

const job = {
  jobId: z.string().min(1),
  jobName: z
    .string()
    .min(1)
    .describe("e.g. `collect-cloudwatch`, `discover-ec2`, `detect-idle`, `history-retention`"),
};

export const jobStartedSchema = z.object({ ...job });
export const jobCompletedSchema = z.object({
  ...job,
  entriesProcessed: nonNegativeIntSchema,
  durationMs: z.number().nonnegative(),
});
export const jobFailedSchema = z.object({
  ...job,
  errorMessage: z.string(),
  errorType: z.string(),
  durationMs: z.number().nonnegative(),
});
const transportSchema = z.enum(["sse", "websocket"]);

/**
 * Why a live connection ended: the client left, was too slow (queue full, or a write stalled), did not answer
 * pings, broke the feed's limits (subscriptions, message size), or the server shut down or failed.
 */
export const CONNECTION_CLOSE_REASONS = [
  "client_closed",
  "slow_consumer",
  "write_timeout",
  "ping_timeout",
  "too_many_subscriptions",
  "message_too_big",
  "server_shutdown",
  "error",
] as const;
export type ConnectionCloseReason = (typeof CONNECTION_CLOSE_REASONS)[number];

export const connectionEstablishedSchema = z.object({
  connectionId: z.string().min(1),
  transport: transportSchema,
});
export const connectionClosedSchema = z.object({
  connectionId: z.string().min(1),
  transport: transportSchema,
  durationSeconds: z.number().nonnegative(),
  reason: z
    .string()
    .describe(`${CONNECTION_CLOSE_REASONS.join(", ")} (consumers must accept others added later)`),
});

export const opsEvents = {
  jobStarted: defineMessage({
    type: "io.cml-telemetry.job.started.v1",
    kind: "ops",
    schema: jobStartedSchema,
    channel: "cml.ops.{service}.job",
    description: "A collector cycle or a history job started.",
    example: { jobId: "collect-cml:1764072000", jobName: "collect-cml" },
  }),
  jobCompleted: defineMessage({
    type: "io.cml-telemetry.job.completed.v1",
    kind: "ops",
    schema: jobCompletedSchema,
    channel: "cml.ops.{service}.job",
    description: "A collector cycle or a history job completed.",
    example: {
      jobId: "collect-cml:1764072000",
      jobName: "collect-cml",
      entriesProcessed: 20,
      durationMs: 412,
    },
  }),
  jobFailed: defineMessage({
    type: "io.cml-telemetry.job.failed.v1",
    kind: "ops",
    schema: jobFailedSchema,
    channel: "cml.ops.{service}.job",
    description: "A collector cycle or a history job failed.",
    example: {
      jobId: "collect-cml:1764072000",
      jobName: "collect-cml",
      errorMessage: "NATS timeout",
      errorType: "TransientError",
      durationMs: 5000,
    },
  }),
  connectionEstablished: defineMessage({
    type: "io.cml-telemetry.connection.established.v1",
    kind: "ops",
    schema: connectionEstablishedSchema,
    channel: "cml.ops.api.connection",
    description: "An SSE or WebSocket client connected to the API.",
    example: { connectionId: "c0a8012e-1b2c-4d3e-8f90-a1b2c3d4e5f6", transport: "sse" },
  }),
  connectionClosed: defineMessage({
    type: "io.cml-telemetry.connection.closed.v1",
    kind: "ops",
    schema: connectionClosedSchema,
    channel: "cml.ops.api.connection",
    description: "An SSE or WebSocket client disconnected, with how long it stayed and why.",
    example: {
      connectionId: "c0a8012e-1b2c-4d3e-8f90-a1b2c3d4e5f6",
      transport: "websocket",
      durationSeconds: 42.5,
      reason: "client_closed",
    },
  }),
} as const;
