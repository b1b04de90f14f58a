import { z } from "zod";

/** Documentation facts about one environment variable, attached to its zod schema. */
export interface EnvVarMeta {
  /** What the variable controls and which values it takes. */
  description: string;
  /** Default as shown in docs, when it is not a plain value (e.g. derived from another variable). */
  defaultText?: string;
  /** Never printed: redacted in logs and left out of error messages. */
  secret?: boolean;
  /** Read by the AWS SDK itself rather than by service code; listed so it is documented. */
  readBySdk?: boolean;
}

/** Registry holding the {@link EnvVarMeta} of every variable schema built with the env helpers. */
export const envRegistry = z.registry<EnvVarMeta>();

/**
 * Attaches documentation metadata to a variable schema (the docs table and redaction are built from it).
 * @example NATS_URL: envVar(envUrl().default("nats://127.0.0.1:4222"), { description: "NATS server URL" })
 */
export function envVar<T extends z.ZodType>(schema: T, meta: EnvVarMeta): T {
  envRegistry.add(schema, meta);
  return schema;
}
