import { z } from "zod";
import { IMAGE_ID_PATTERN, INSTANCE_ID_PATTERN } from "../aws/ec2/ec2-ids.ts";
import { INSTANCE_STATE_NAMES, STATUS_CHECK_VALUES } from "../model/instance-state.ts";

const stateName = z.enum(INSTANCE_STATE_NAMES as [string, ...string[]]);
const statusValue = z.enum(STATUS_CHECK_VALUES as [string, ...string[]]);
const agent = z.enum(["none", "instance-id", "instance-image-type", "instance-image-type-asg"]);
const percent = z.number().min(0).max(100);

/** Body of `POST /_sim/instances`. */
export const instanceSpecSchema = z.strictObject({
  instanceId: z.string().regex(INSTANCE_ID_PATTERN).optional(),
  region: z.string().min(1),
  availabilityZone: z.string().optional(),
  imageId: z.string().regex(IMAGE_ID_PATTERN).optional(),
  amiName: z.string().optional(),
  instanceType: z.string().optional(),
  privateIpAddress: z.string().optional(),
  /** Loopback only (`127.0.0.0/8`): a client probing a simulated instance must never leave this machine. */
  publicIpAddress: z
    .string()
    .regex(/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/, "a simulated public IP must be a loopback address (127.x.y.z)")
    .nullable()
    .optional(),
  launchTime: z.number().optional(),
  state: stateName.optional(),
  tags: z.record(z.string(), z.string()).optional(),
  detailedMonitoring: z.boolean().optional(),
  agent: agent.optional(),
  cpuOverride: percent.nullable().optional(),
  memoryOverride: percent.nullable().optional(),
  instanceStatusOverride: statusValue.nullable().optional(),
  systemStatusOverride: statusValue.nullable().optional(),
  cml: z.boolean().optional(),
  cmlBootSeconds: z.number().min(0).optional(),
  /** Shorthand: tag the instance with the fleet's worker tag and give it a CML server. */
  worker: z.boolean().optional(),
});

/** Body of `PATCH /_sim/instances/:ref`. */
export const instancePatchSchema = z.strictObject({
  state: stateName.optional(),
  action: z.enum(["start", "stop", "terminate", "reboot"]).optional(),
  cpuOverride: percent.nullable().optional(),
  cpuChange: percent.optional(),
  memoryOverride: percent.nullable().optional(),
  agent: agent.optional(),
  detailedMonitoring: z.boolean().optional(),
  tags: z.record(z.string(), z.string().nullable()).optional(),
  instanceType: z.string().optional(),
  instanceStatusOverride: statusValue.nullable().optional(),
  systemStatusOverride: statusValue.nullable().optional(),
  cml: z.boolean().optional(),
  cmlBootSeconds: z.number().min(0).optional(),
});

/** Body of `POST /_sim/faults`. */
export const faultRuleSchema = z.strictObject({
  service: z.enum(["ec2", "cloudwatch", "pricing"]),
  action: z.string().min(1).optional(),
  region: z.string().min(1).optional(),
  kind: z.enum(["throttle", "error", "latency", "deny", "result-status"]),
  count: z.number().int().positive().optional(),
  durationMs: z.number().positive().optional(),
  latencyMs: z.number().min(0).optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  statusCode: z.number().int().min(400).max(599).optional(),
  resultStatus: z.enum(["InternalError", "Forbidden"]).optional(),
  metricName: z.string().min(1).optional(),
  instanceId: z.string().min(1).optional(),
});

/** Body of `PATCH /_sim/images/:imageId`. */
export const imagePatchSchema = z.strictObject({
  state: z.enum(["available", "deregistered", "unshared"]),
  region: z.string().min(1).optional(),
});

/** Body of `POST /_sim/clock`: move simulated time forward. */
export const clockMoveSchema = z.strictObject({
  advanceSeconds: z
    .number()
    .min(0)
    .max(366 * 86_400),
});

/** `[min, max]` seconds of an EC2 transition. */
const secondsRange = z
  .tuple([z.number().int().min(0).max(3_600), z.number().int().min(0).max(3_600)])
  .refine(([min, max]) => min <= max, "min must not exceed max");

/** Body of `PATCH /_sim/realism`. */
export const realismPatchSchema = z.strictObject({
  ec2ConsistencySeconds: z.number().min(0).max(3_600).optional(),
  metricLagJitterSeconds: z.number().int().min(0).max(600).optional(),
  metricListingDays: z.number().min(0).max(15).optional(),
  maxDatapointsPerCall: z.number().int().min(1).max(100_800).optional(),
  ec2TransitionSeconds: z
    .strictObject({ pending: secondsRange, stopping: secondsRange, shuttingDown: secondsRange })
    .optional(),
});
