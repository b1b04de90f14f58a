import { encodeEvent, ValidationError } from "@cml-telemetry/contracts";
import { describe, expect, it } from "vitest";
import { cloudwatchTelemetry, testWorker } from "../testing/index.ts";
import { decodeTelemetryEnvelope } from "./decode-telemetry-envelope.ts";

const encoder = new TextEncoder();

function fieldOf(bytes: Uint8Array): string {
  try {
    decodeTelemetryEnvelope(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).field;
  }
  throw new Error("expected a ValidationError");
}

describe("decodeTelemetryEnvelope", () => {
  it("returns id, type and data of a structured CloudEvent", () => {
    const { event } = cloudwatchTelemetry(testWorker(1), new Date("2026-11-25T12:00:00.000Z"), {
      cpu: 5,
      memory: 6,
    });
    const envelope = decodeTelemetryEnvelope(encodeEvent(event));
    expect(envelope).toMatchObject({ id: event.id, type: event.type, data: event.data });
  });

  it("names what is wrong with a message that is not a usable CloudEvent", () => {
    expect(fieldOf(encoder.encode("not json"))).toBe("body");
    expect(fieldOf(encoder.encode("[1,2]"))).toBe("body");
    expect(fieldOf(encoder.encode(JSON.stringify({ specversion: "0.3", id: "a" })))).toBe("specversion");
    expect(fieldOf(encoder.encode(JSON.stringify({ specversion: "1.0", id: "a", source: "/x" })))).toBe(
      "type",
    );
    expect(
      fieldOf(encoder.encode(JSON.stringify({ specversion: "1.0", id: "", source: "/x", type: "t" }))),
    ).toBe("id");
  });
});
