import { ValidationError } from "@cml-telemetry/contracts";

/** The parts of a telemetry CloudEvent history needs; any parsed `CmlCloudEvent` satisfies it. */
export interface TelemetryEnvelope {
  readonly id: string;
  readonly type: string;
  readonly data?: unknown;
}

const decoder = new TextDecoder();
const REQUIRED_ATTRIBUTES = ["id", "source", "type"] as const;

/**
 * Parses structured-mode CloudEvent bytes into the envelope history needs, checking the required attributes
 * (`specversion` 1.0, non-empty `id`, `source`, `type`); `data` is validated later against its type's schema.
 * The replay reads the whole telemetry stream at start, so it skips building a full `CloudEvent` per message.
 * @throws ValidationError naming the offending attribute (`body` when the bytes are not a JSON object).
 */
export function decodeTelemetryEnvelope(bytes: Uint8Array): TelemetryEnvelope {
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new ValidationError("message is not valid JSON", [{ field: "body", message: "not JSON" }], {
      cause: error,
    });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ValidationError("message is not a CloudEvent object", [
      { field: "body", message: "not an object" },
    ]);
  }
  const record = raw as Record<string, unknown>;
  if (record.specversion !== "1.0") {
    throw new ValidationError("message is not a CloudEvent 1.0", [
      { field: "specversion", message: 'must be "1.0"' },
    ]);
  }
  for (const attribute of REQUIRED_ATTRIBUTES) {
    if (typeof record[attribute] !== "string" || record[attribute] === "") {
      throw new ValidationError(`message is not a valid CloudEvent: ${attribute} is required`, [
        { field: attribute, message: "required non-empty string" },
      ]);
    }
  }
  return record as unknown as TelemetryEnvelope;
}
