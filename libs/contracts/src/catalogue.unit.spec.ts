import { describe, expect, it } from "vitest";
import { z } from "zod";
import { definitionOfType, MESSAGE_CATALOGUE } from "./catalogue.ts";
import { createEvent, decodeEvent, encodeEvent, parseEventData } from "./cloud-event.ts";
import { ValidationError } from "./errors.ts";
import { createCloudEventSchemaValidator } from "./testing/cloud-event-schema.ts";

const validateCloudEvent = createCloudEventSchemaValidator();

function requiredKeys(schema: z.ZodType): string[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>)
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([key]) => key);
}

describe("message catalogue", () => {
  it("has unique CloudEvent types following io.cml-telemetry.<family>.<name>.v1", () => {
    const types = MESSAGE_CATALOGUE.map((definition) => definition.type);
    expect(new Set(types).size).toBe(types.length);
    for (const type of types) expect(type).toMatch(/^io\.cml-telemetry\.[a-z0-9_]+\.[a-z0-9_]+\.v1$/);
    expect(definitionOfType("io.cml-telemetry.ec2.status.v1")?.channel).toBe("cml.telemetry.ec2.{workerId}");
  });

  for (const definition of MESSAGE_CATALOGUE) {
    describe(definition.type, () => {
      it("accepts its example, round-trips as a CloudEvent and validates against the CloudEvents 1.0 schema", () => {
        const event = createEvent(definition, {
          source: "worker-aggregate",
          subject: "8f0b7a56-3a55-5a41-9a0c-6c1b2f7d9e10",
          data: definition.example,
          correlationId: "corr-1",
        });
        const wire = JSON.parse(new TextDecoder().decode(encodeEvent(event)));
        expect(validateCloudEvent(wire)).toBeUndefined();
        expect(wire).toMatchObject({ specversion: "1.0", type: definition.type, correlationid: "corr-1" });
        const decoded = decodeEvent(encodeEvent(event));
        expect(parseEventData(definition, decoded)).toEqual(definition.schema.parse(definition.example));
      });

      const keys = requiredKeys(definition.schema);
      for (const key of keys) {
        it(`rejects data without ${key}, naming the field`, () => {
          const data = { ...(definition.example as Record<string, unknown>) };
          delete data[key];
          const build = () => createEvent(definition, { source: "api", data: data as never });
          expect(build).toThrow(ValidationError);
          try {
            build();
          } catch (error) {
            expect((error as ValidationError).field).toBe(`data.${key}`);
            expect((error as ValidationError).message).toContain(`data.${key}`);
          }
        });
      }
      if (keys.length === 0) {
        it("rejects a value of the wrong shape", () => {
          expect(() => createEvent(definition, { source: "api", data: 42 as never })).toThrow(
            ValidationError,
          );
        });
      }
    });
  }
});
