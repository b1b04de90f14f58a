import type { z } from "zod";

/** The families of messages, matching the streams that hold them. */
export type MessageKind = "command" | "telemetry" | "domain" | "ops" | "query";

/**
 * One message of the contract, defined once: CloudEvent `type`, data schema, and where it travels.
 * Services import these; they never build type strings or subjects by hand.
 */
export interface MessageDefinition<TSchema extends z.ZodType = z.ZodType> {
  /** CloudEvent `type`, e.g. `io.cml-telemetry.ec2.status.v1`. */
  readonly type: string;
  readonly kind: MessageKind;
  /** zod schema of the CloudEvent `data`. */
  readonly schema: TSchema;
  /** AsyncAPI channel address template, e.g. `cml.telemetry.ec2.{workerId}`. */
  readonly channel: string;
  /** Short human description, used in the generated docs. */
  readonly description: string;
  /** A valid example of `data`, used in docs and contract tests. */
  readonly example: z.input<TSchema>;
}

/** Data type carried by a message definition. */
export type DataOf<TDef> = TDef extends MessageDefinition<infer S> ? z.infer<S> : never;

/** Declares a message definition with its types inferred. */
export function defineMessage<TSchema extends z.ZodType>(
  definition: MessageDefinition<TSchema>,
): MessageDefinition<TSchema> {
  return Object.freeze(definition);
}
