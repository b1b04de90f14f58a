import { randomUUID } from "node:crypto";
import { CloudEvent, ValidationError as CloudEventsValidationError } from "cloudevents";
import type { z } from "zod";
import type { ServiceName } from "./enums.ts";
import { ValidationError } from "./errors.ts";
import type { MessageDefinition } from "./message-definition.ts";

/** A CloudEvent of this system: structured JSON, `data` typed, optional `correlationid` extension. */
export type CmlCloudEvent<TData = unknown> = CloudEvent<TData> & { correlationid?: string };

/** The CloudEvent `source` of a service: `/cml-telemetry/<service>`. */
export function eventSource(service: ServiceName): string {
  return `/cml-telemetry/${service}`;
}

/** What a caller provides to build an event; the rest comes from the definition. */
export interface EventInit<TData> {
  readonly source: ServiceName;
  readonly data: TData;
  /** The worker id where there is one. */
  readonly subject?: string;
  /** Deterministic id where dedupe needs it; otherwise a fresh UUID v4. Sent as `Nats-Msg-Id`. */
  readonly id?: string;
  /** Event time; defaults to now. */
  readonly time?: Date;
  /** Carried from a refresh request through everything it causes. */
  readonly correlationId?: string | undefined;
}

/**
 * Builds a CloudEvent for a message definition, validating `data` against its schema first.
 * @throws ValidationError naming the first bad field.
 * @example
 * const event = createEvent(telemetry.ec2Status, { source: "collector-ec2", subject: workerId, data });
 */
export function createEvent<S extends z.ZodType>(
  definition: MessageDefinition<S>,
  init: EventInit<z.input<S>>,
): CmlCloudEvent<z.infer<S>> {
  const parsed = definition.schema.safeParse(init.data);
  if (!parsed.success) throw ValidationError.fromZod(`${definition.type} data`, parsed.error, "data");
  const attributes: Record<string, unknown> = {
    specversion: "1.0",
    id: init.id ?? randomUUID(),
    source: eventSource(init.source),
    type: definition.type,
    time: (init.time ?? new Date()).toISOString(),
    datacontenttype: "application/json",
    data: parsed.data,
  };
  if (init.subject !== undefined) attributes.subject = init.subject;
  if (init.correlationId !== undefined) attributes.correlationid = init.correlationId;
  return new CloudEvent<z.infer<S>>(attributes) as CmlCloudEvent<z.infer<S>>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Structured-mode JSON bytes of an event. */
export function encodeEvent(event: CloudEvent<unknown>): Uint8Array {
  return encoder.encode(JSON.stringify(event));
}

/**
 * Parses structured-mode JSON bytes into a CloudEvent, validating the envelope (not the data).
 * @throws ValidationError for bad JSON or an invalid CloudEvent.
 */
export function decodeEvent(bytes: Uint8Array | string): CmlCloudEvent<unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof bytes === "string" ? bytes : decoder.decode(bytes));
  } catch (error) {
    throw new ValidationError("message is not valid JSON", [{ field: "", message: "not JSON" }], {
      cause: error,
    });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ValidationError("message is not a CloudEvent object", [
      { field: "", message: "not an object" },
    ]);
  }
  const record = raw as Record<string, unknown>;
  if (record.specversion !== "1.0") {
    throw new ValidationError("message is not a CloudEvent 1.0", [
      { field: "specversion", message: 'must be "1.0"' },
    ]);
  }
  // The cloudevents package fills in a missing id/time; a received message must carry its own.
  for (const attribute of ["id", "source", "type"] as const) {
    if (typeof record[attribute] !== "string" || record[attribute] === "") {
      throw new ValidationError(`message is not a valid CloudEvent: ${attribute} is required`, [
        { field: attribute, message: "required non-empty string" },
      ]);
    }
  }
  try {
    return new CloudEvent<unknown>(record) as CmlCloudEvent<unknown>;
  } catch (error) {
    const errors = error instanceof CloudEventsValidationError ? (error.errors ?? []) : [];
    const first = errors[0] as { instancePath?: string; message?: string } | string | undefined;
    const field =
      typeof first === "object" && first?.instancePath
        ? first.instancePath.replace(/^\//, "").replace(/\//g, ".")
        : "";
    const message = typeof first === "object" ? (first?.message ?? "invalid") : (first ?? String(error));
    throw new ValidationError(
      `message is not a valid CloudEvent: ${field || "(envelope)"} ${message}`,
      [{ field, message }],
      { cause: error },
    );
  }
}

/**
 * Validates an event's `data` against a definition and returns it typed.
 * @throws ValidationError when the type differs or a field is wrong (the field is named, prefixed `data.`).
 */
export function parseEventData<S extends z.ZodType>(
  definition: MessageDefinition<S>,
  event: CloudEvent<unknown>,
): z.infer<S> {
  if (event.type !== definition.type) {
    throw new ValidationError(`expected ${definition.type}, got ${event.type}`, [
      { field: "type", message: `expected ${definition.type}` },
    ]);
  }
  const parsed = definition.schema.safeParse(event.data);
  if (!parsed.success) throw ValidationError.fromZod(`${definition.type} data`, parsed.error, "data");
  return parsed.data;
}

/** The correlation id of an event, if any. */
export function correlationIdOf(event: CloudEvent<unknown>): string | undefined {
  const value = (event as Record<string, unknown>).correlationid;
  return typeof value === "string" ? value : undefined;
}
