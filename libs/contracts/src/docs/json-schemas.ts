import { z } from "zod";
import { MESSAGE_CATALOGUE } from "../catalogue.ts";
import type { MessageDefinition } from "../message-definition.ts";
import { workerRecordSchema } from "../worker-state.ts";

/** JSON Schema (draft-07) of a message's `data`. */
export function dataJsonSchema(definition: MessageDefinition): Record<string, unknown> {
  return z.toJSONSchema(definition.schema, { target: "draft-7", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
}

/** JSON Schema of the whole CloudEvent (structured mode) carrying this message. */
export function cloudEventJsonSchema(definition: MessageDefinition): Record<string, unknown> {
  const data = dataJsonSchema(definition);
  delete data.$schema;
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: `https://cml-telemetry.dev/schemas/${definition.type}.json`,
    title: definition.type,
    description: definition.description,
    type: "object",
    required: ["specversion", "id", "source", "type", "time", "datacontenttype", "data"],
    properties: {
      specversion: { const: "1.0" },
      id: { type: "string", minLength: 1 },
      source: { type: "string", pattern: "^/cml-telemetry/[a-z-]+$" },
      type: { const: definition.type },
      subject: { type: "string" },
      time: { type: "string", format: "date-time" },
      datacontenttype: { const: "application/json" },
      correlationid: {
        type: "string",
        description: "Carried from a refresh request through everything it causes",
      },
      data,
    },
  };
}

/** Every generated schema file: `<type>.json` per message plus the KV worker record. */
export function allJsonSchemas(): Record<string, Record<string, unknown>> {
  const files: Record<string, Record<string, unknown>> = {};
  for (const definition of MESSAGE_CATALOGUE)
    files[`${definition.type}.json`] = cloudEventJsonSchema(definition);
  files["kv.cml_workers.record.json"] = {
    ...(z.toJSONSchema(workerRecordSchema, { target: "draft-7", unrepresentable: "any" }) as Record<
      string,
      unknown
    >),
    title: "KV cml_workers entry",
  };
  return files;
}
