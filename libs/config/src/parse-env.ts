import type { z } from "zod";
import { ConfigError, type ConfigIssue } from "./config-error.ts";
import { type ConfigField, type ConfigSchema, configFields } from "./config-fields.ts";

/** Environment as handed to a service: `process.env` or any plain object of strings. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/** Drops unset and blank variables so `FOO=` (e.g. compose's `${FOO:-}`) means "use the default". */
function presentVariables(env: EnvSource): Record<string, string> {
  const present: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== "") present[name] = value;
  }
  return present;
}

function describeIssue(
  variable: string,
  messages: string[],
  env: Record<string, string>,
  field: ConfigField | undefined,
): ConfigIssue {
  const raw = env[variable];
  if (raw === undefined) {
    const expected = field?.description ? `; expected: ${field.description}` : "";
    return { variable, problem: `required but not set${expected}` };
  }
  const got = field?.secret ? " (value hidden)" : ` (got ${JSON.stringify(raw)})`;
  return { variable, problem: `${[...new Set(messages)].join("; ")}${got}` };
}

/**
 * Validates an environment against a config schema and returns the typed config.
 * Blank values count as unset. Unknown variables are ignored.
 * @throws {ConfigError} listing every missing or invalid variable in one message (secret values never shown).
 * @example const config = parseEnv(serviceConfigSchemas["collector-ec2"], process.env, { context: "collector-ec2" });
 */
export function parseEnv<S extends ConfigSchema>(
  schema: S,
  env: EnvSource,
  options: { context?: string } = {},
): z.output<S> {
  const present = presentVariables(env);
  const result = schema.safeParse(present);
  if (result.success) return result.data as z.output<S>;

  const fields = new Map(configFields(schema).map((field) => [field.name, field]));
  const byVariable = new Map<string, string[]>();
  for (const issue of result.error.issues) {
    const variable = issue.path.length > 0 ? String(issue.path[0]) : "(configuration)";
    byVariable.set(variable, [...(byVariable.get(variable) ?? []), issue.message]);
  }
  const issues = [...byVariable].map(([variable, messages]) =>
    describeIssue(variable, messages, present, fields.get(variable)),
  );
  throw new ConfigError(issues, { context: options.context, cause: result.error });
}
