import {
  AWS_INSTANCE_ID_PATTERN,
  IDLE_STOP_MODES,
  IDLE_STOP_SKIP_REASONS,
  LICENSE_STATUSES,
  LIFECYCLE_ACTIONS,
  LIFECYCLE_OUTCOMES,
  LIFECYCLE_REASONS,
  SERVICE_STATUSES,
  STATUS_CHECK_VALUES,
  WORKER_STATUSES,
} from "@cml-telemetry/contracts";
import { z } from "@hono/zod-openapi";
import { IDLE_POLICY_VIEW_STATES } from "../../workers/idle-policy-view.ts";

const timestamp = z.string().openapi({ format: "date-time", example: "2026-11-25T12:00:00.000Z" });

/** `{ type, message, at }` or null. */
export const sourceErrorViewSchema = z
  .object({ type: z.string(), message: z.string(), at: timestamp })
  .nullable()
  .openapi("SourceError");

/** The last lifecycle request of a worker (start, stop, terminate) and what EC2 made of it. */
export const lastLifecycleActionViewSchema = z
  .object({
    action: z.enum(LIFECYCLE_ACTIONS),
    requested_by: z.string().openapi({ description: "API token name, `anonymous`, or `idle-policy`" }),
    reason: z.enum(LIFECYCLE_REASONS),
    dry_run: z.boolean(),
    outcome: z.enum(LIFECYCLE_OUTCOMES),
    request_id: z.string(),
    at: timestamp.openapi({ description: "When worker-lifecycle observed the outcome" }),
  })
  .nullable()
  .openapi("LastLifecycleAction");

/** The idle auto-stop policy's view of the worker. */
export const idlePolicyViewSchema = z
  .object({
    mode: z.enum(IDLE_STOP_MODES).openapi({ description: "IDLE_STOP_MODE" }),
    state: z.enum(IDLE_POLICY_VIEW_STATES).openapi({
      description:
        "`off`: the policy does nothing; `not-idle`: nothing to decide (not idle past the threshold, or not RUNNING); `will-stop`: idle with every condition met, the next policy pass asks to stop it; `skipped`: idle but left running (`skip_reason`); `stop-requested`: the policy asked to stop it in this idle period (in dry-run: recorded the intent), or it is stopping/stopped by the policy",
    }),
    skip_reason: z.enum(IDLE_STOP_SKIP_REASONS).nullable(),
  })
  .openapi("IdlePolicy");

const money = z.number().nonnegative().nullable();

/** What the worker cost this UTC month so far. */
export const costViewSchema = z
  .object({
    hourly_usd: money.openapi({
      description:
        "On-demand hourly price of its instance type in its region (KV `cml_prices`); null = unknown",
    }),
    running_hours_month_to_date: z.number().nonnegative().openapi({
      description: "Hours RUNNING this UTC month, up to now (to 0.01)",
    }),
    month_to_date_usd: money.openapi({
      description: "running hours × hourly price, to the cent; null when the price is unknown",
    }),
    saved_by_idle_stop_usd_month_to_date: money.openapi({
      description:
        "Hours stopped by the idle policy (until the next start) this month × hourly price, to the cent; null when the price is unknown",
    }),
  })
  .openapi("WorkerCost");

/** The worker as the API shows it (DESIGN §7), sources kept separate. */
export const workerViewSchema = z
  .object({
    id: z.string().openapi({ format: "uuid" }),
    name: z.string().nullable(),
    region: z.string().openapi({ example: "us-east-1" }),
    instance_id: z.string().openapi({ example: "i-0123456789abcdef0" }),
    instance_type: z.string().nullable(),
    ami_id: z.string().nullable(),
    ami_name: z.string().nullable(),
    status: z.enum(WORKER_STATUSES),
    service_status: z.enum(SERVICE_STATUSES),
    license_status: z.enum(LICENSE_STATUSES).nullable(),
    cml_version: z.string().nullable(),
    https_endpoint: z.string().nullable(),
    public_ip: z.string().nullable(),
    private_ip: z.string().nullable(),
    active_labs_count: z.number().int(),
    last_activity_at: timestamp.nullable(),
    is_idle: z.boolean(),
    can_connect: z.boolean(),
    created_at: timestamp,
    updated_at: timestamp,
    terminated_at: timestamp.nullable(),
    terminated_by: z.string().nullable().openapi({
      description:
        "Who asked for the termination AWS confirmed (API token name), else `ec2`; null until terminated",
    }),
    stopped_by: z.string().nullable().openapi({
      description: "Who stopped it (API token name or `idle-policy`), until the next accepted start",
    }),
    last_lifecycle_action: lastLifecycleActionViewSchema,
    ec2_metrics: z.object({
      instance_state_detail: z.string().nullable(),
      instance_status_check: z.enum(STATUS_CHECK_VALUES).nullable(),
      system_status_check: z.enum(STATUS_CHECK_VALUES).nullable(),
      last_checked_at: timestamp.nullable(),
      last_error: sourceErrorViewSchema,
    }),
    cloudwatch_metrics: z.object({
      cpu_utilization: z.number().nullable(),
      memory_utilization: z.number().nullable(),
      datapoint_at: timestamp.nullable(),
      period_seconds: z.number().int().nullable(),
      stale: z.boolean(),
      last_collected_at: timestamp.nullable(),
      detailed_monitoring_enabled: z.boolean().nullable(),
      last_error: sourceErrorViewSchema,
    }),
    cml_metrics: z.object({
      ready: z.boolean().nullable(),
      uptime_seconds: z.number().int().nullable(),
      labs_count: z.number().int().nullable(),
      running_labs_count: z.number().int().nullable(),
      version: z.string().nullable(),
      license_status: z.enum(LICENSE_STATUSES).nullable(),
      cpu_percent: z.number().nullable(),
      memory_used_percent: z.number().nullable(),
      disk_used_percent: z.number().nullable(),
      running_nodes: z.number().int().nullable(),
      last_synced_at: timestamp.nullable(),
      system_info: z.record(z.string(), z.unknown()).nullable(),
      last_error: sourceErrorViewSchema,
    }),
    idle_policy: idlePolicyViewSchema,
    cost: costViewSchema,
  })
  .openapi("Worker");

const booleanParam = z.enum(["true", "false"]);

/** Query of `GET /workers`. */
export const listWorkersQuerySchema = z.object({
  status: z.enum(WORKER_STATUSES).optional(),
  region: z.string().min(1).optional(),
  service_status: z.enum(SERVICE_STATUSES).optional(),
  idle: booleanParam.optional(),
  can_connect: booleanParam.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100).openapi({ type: "integer", example: 100 }),
  cursor: z.string().min(1).optional().openapi({ description: "Opaque `next_cursor` of the previous page" }),
});

/** A page of workers. */
export const workerPageSchema = z
  .object({ items: z.array(workerViewSchema), next_cursor: z.string().nullable() })
  .openapi("WorkerPage");

/** Path parameter `id`. */
export const workerIdParamSchema = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: "id", in: "path" }, format: "uuid" }),
});

/** Body of `POST /workers`. */
export const registerWorkerBodySchema = z
  .object({
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be an AWS region name such as us-east-1"),
    instance_id: z
      .string()
      .regex(
        AWS_INSTANCE_ID_PATTERN,
        "must be an EC2 instance id: i- and 8 or 17 lowercase hex digits, such as i-0123456789abcdef0",
      ),
    name: z.string().min(1).max(255).optional(),
    https_endpoint: z.url({ protocol: /^https$/ }).optional(),
  })
  .strict()
  .openapi("RegisterWorker");

/** Answer of `POST /workers`, for a new worker (201) and a known one (200) alike. */
export const registerAcceptedSchema = z
  .object({
    id: z.string(),
    request_id: z.string(),
    worker: workerViewSchema
      .nullable()
      .openapi({ description: "Null when the registration is not visible yet" }),
  })
  .openapi("RegisterAccepted");

/** Query of `POST /workers/:id/refresh`. */
export const refreshQuerySchema = z.object({
  wait: z.coerce.number().int().min(0).max(300).optional().openapi({
    type: "integer",
    description:
      "Seconds to wait for every applicable source to report (bounded by REFRESH_WAIT_MAX_SECONDS)",
  }),
});

/** Answer of a refresh that is still running. */
export const refreshAcceptedSchema = z
  .object({ request_id: z.string(), sources: z.array(z.enum(["ec2", "cloudwatch", "cml"])) })
  .openapi("RefreshAccepted");

/** Query of `GET /workers/:id/events`. */
export const workerEventsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).openapi({ type: "integer" }),
  cursor: z.string().min(1).optional(),
});

/** A stored domain event. */
export const domainEventViewSchema = z
  .object({
    seq: z.number().int(),
    name: z.string(),
    event: z.record(z.string(), z.unknown()).openapi({ description: "The CloudEvent (structured JSON)" }),
  })
  .openapi("DomainEventEntry");

/** A page of a worker's events, newest first. */
export const workerEventsPageSchema = z
  .object({ items: z.array(domainEventViewSchema), next_cursor: z.string().nullable() })
  .openapi("DomainEventPage");
