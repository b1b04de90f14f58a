import { configFields } from "./config-fields.ts";
import { serviceConfigSchemas } from "./service-schemas.ts";

/** Placeholder printed instead of a secret value. */
export const REDACTED = "[redacted]";

/** Names of every variable marked secret in any service schema. */
export const SECRET_ENV_VARS: ReadonlySet<string> = new Set(
  Object.values(serviceConfigSchemas).flatMap((schema) =>
    configFields(schema)
      .filter((field) => field.secret)
      .map((field) => field.name),
  ),
);

/**
 * Copy of a config (or env object) safe to log: secret variables that are set become `[redacted]`.
 * @example logger.info({ config: redactConfig(config) }, "effective configuration");
 */
export function redactConfig<T extends object>(config: T): { [K in keyof T]: T[K] | typeof REDACTED } {
  const copy: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const name of Object.keys(copy)) {
    const value = copy[name];
    const isSet = value !== undefined && !(Array.isArray(value) && value.length === 0);
    if (SECRET_ENV_VARS.has(name) && isSet) copy[name] = REDACTED;
  }
  return copy as { [K in keyof T]: T[K] | typeof REDACTED };
}
