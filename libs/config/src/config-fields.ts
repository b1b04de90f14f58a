import { z } from "zod";
import { envRegistry } from "./env-registry.ts";

/** Everything known about one variable of a config schema. */
export interface ConfigField {
  name: string;
  description: string;
  /** Default as shown to operators; `undefined` when there is none. */
  defaultText: string | undefined;
  /** Must be set: no default and not optional. */
  required: boolean;
  secret: boolean;
  readBySdk: boolean;
}

/** Schema shape accepted by {@link configFields}: an object of env schemas, optionally piped into a transform. */
export type ConfigSchema = z.ZodObject | z.ZodPipe<z.ZodObject, z.ZodType>;

function objectOf(schema: ConfigSchema): z.ZodObject {
  return schema instanceof z.ZodPipe ? schema.in : schema;
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? "(empty)" : value.join(",");
  return String(value);
}

/**
 * Lists the variables of a config schema with their documentation metadata, in declaration order.
 * @example configFields(serviceConfigSchemas.api).map((f) => f.name)
 */
export function configFields(schema: ConfigSchema): ConfigField[] {
  return Object.entries(objectOf(schema).shape).map(([name, field]) => {
    const meta = envRegistry.get(field as z.ZodType);
    const hasDefault = field instanceof z.ZodDefault;
    const optional = field instanceof z.ZodOptional;
    const defaultText = meta?.defaultText ?? (hasDefault ? formatDefault(field.def.defaultValue) : undefined);
    return {
      name,
      description: meta?.description ?? "",
      defaultText,
      required: !hasDefault && !optional && meta?.defaultText === undefined,
      secret: meta?.secret === true,
      readBySdk: meta?.readBySdk === true,
    };
  });
}
