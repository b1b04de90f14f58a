import {
  AWS_INSTANCE_ID_PATTERN,
  LICENSE_STATUSES,
  SERVICE_STATUSES,
  STATUS_CHECK_VALUES,
  WORKER_STATUSES,
} from "@cml-telemetry/contracts";
import { z } from "@hono/zod-openapi";

const timestamp = z.string().openapi({ format: "date-time", example: "2026-11-25T12:00:00.000Z" });

/** `{ type, message, at }` or null. */
export const sourceErrorViewSchema = z
  .object({ type: z.string(), message: z.string(), at: timestamp })
  .nullable()
  .openapi("SourceError");

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
