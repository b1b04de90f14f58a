import { z } from "zod";
import { type LifecycleAction, type WorkerStatus, workerStatusFromInstanceState } from "./enums.ts";
import { timestampSchema } from "./primitives.ts";

/**
 * Id of one lifecycle request (API: the request id, 1–128 characters of `[A-Za-z0-9._:-]`; idle policy: a UUID v5 per
 * worker, idle period and mode). A repeated request id for the same worker and action is executed once.
 */
export const lifecycleRequestIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, "must be 1–128 characters of [A-Za-z0-9._:-]")
  .describe("Id of the lifecycle request; the same id for the same worker and action is executed once");

/** Who asked: the API token's name (`anonymous` without tokens) or `idle-policy`. */
export const requestedBySchema = z.string().min(1).max(255).describe("API token name, or `idle-policy`");

/** `requestedBy` of what the idle auto-stop policy asks. */
export const IDLE_POLICY_REQUESTER = "idle-policy";

/**
 * EC2 tag that exempts a worker from the idle auto-stop policy: `cml:idle-stop=off` (any other value, or no tag,
 * leaves the worker under the policy).
 */
export const IDLE_STOP_EXEMPT_TAG = { key: "cml:idle-stop", value: "off" } as const;

/**
 * The EC2 instance states in which an action has nothing left to do: the instance is there or on its way. A request
 * for an instance already in one of them is an `already` outcome with no state-changing call.
 */
export const LIFECYCLE_TARGET_INSTANCE_STATES: Readonly<Record<LifecycleAction, readonly string[]>> = {
  start: ["pending", "running"],
  stop: ["stopping", "stopped"],
  terminate: ["shutting-down", "terminated"],
};

/** The worker statuses matching {@link LIFECYCLE_TARGET_INSTANCE_STATES}: transitional first, then the target. */
export function lifecycleTargetStatuses(action: LifecycleAction): readonly WorkerStatus[] {
  return LIFECYCLE_TARGET_INSTANCE_STATES[action].map(workerStatusFromInstanceState);
}

/** Whether an EC2 instance state is the target (or on the way to the target) of `action`. */
export function reachesLifecycleTarget(action: LifecycleAction, instanceState: string | null): boolean {
  return instanceState !== null && LIFECYCLE_TARGET_INSTANCE_STATES[action].includes(instanceState);
}

/** The domain event the aggregate emits for the outcome of an action. */
export const LIFECYCLE_EVENT_NAMES = {
  start: "start_requested",
  stop: "stop_requested",
  terminate: "terminate_requested",
} as const satisfies Record<LifecycleAction, string>;

/** `Nats-Msg-Id` (and CloudEvent id) of a lifecycle command: `lifecycle:<workerId>:<action>:<requestId>`. */
export function lifecycleMsgId(workerId: string, action: LifecycleAction, requestId: string): string {
  return `lifecycle:${workerId}:${action}:${requestId}`;
}

/**
 * CloudEvent id (and `Nats-Msg-Id`) of the `ec2.action` telemetry reporting a request's outcome:
 * `action:<workerId>:<action>:<requestId>`, so a re-published outcome is dropped by JetStream and applied once.
 */
export function ec2ActionEventId(workerId: string, action: LifecycleAction, requestId: string): string {
  return `action:${workerId}:${action}:${requestId}`;
}

/**
 * Key of a request's claim in KV `cml_lifecycle_requests`: `<workerId>.<action>.<requestId as base64url>` (a request
 * id may hold `:`, which a KV key may not).
 */
export function lifecycleRequestKey(workerId: string, action: LifecycleAction, requestId: string): string {
  return `${workerId}.${action}.${Buffer.from(requestId, "utf8").toString("base64url")}`;
}

/** One entry of KV `cml_prices`: the on-demand hourly price of an instance type in a region. */
export const priceEntrySchema = z.object({
  hourlyUsd: z.number().nonnegative().describe("On-demand Linux price per hour, USD"),
  source: z.enum(["pricing-api", "file"]).describe("AWS Price List Query API, or `PRICES_FILE`"),
  fetchedAt: timestampSchema,
});
export type PriceEntry = z.infer<typeof priceEntrySchema>;
