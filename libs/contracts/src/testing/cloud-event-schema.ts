// The official CloudEvents 1.0 JSON schema, as the `cloudevents` package ships it compiled (ajv standalone code
// generated from the specification's `cloudevent.json`): no copy of the schema is kept in or beside the repository.
import validateCloudEventSchema from "cloudevents/dist/schema/v1.js";

interface SchemaError {
  readonly instancePath?: string;
  readonly message?: string;
}

/** A validator for the official CloudEvents 1.0 JSON schema; returns the error text or undefined. */
export function createCloudEventSchemaValidator(): (event: unknown) => string | undefined {
  const validate = validateCloudEventSchema as unknown as ((data: unknown) => boolean) & {
    errors?: readonly SchemaError[] | null;
  };
  return (event) =>
    validate(event)
      ? undefined
      : (validate.errors ?? [])
          .map(
            (error) =>
              `${error.instancePath === "" ? "event" : error.instancePath} ${error.message ?? "is invalid"}`,
          )
          .join("; ");
}
