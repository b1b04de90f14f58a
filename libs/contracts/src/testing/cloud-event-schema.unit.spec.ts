import { describe, expect, it } from "vitest";
import { createCloudEventSchemaValidator } from "./cloud-event-schema.ts";

const validate = createCloudEventSchemaValidator();
const valid = {
  specversion: "1.0",
  id: "7c1d5f3e-1e51-4c1e-9a3b-0d6f0b0a8c11",
  source: "/cml-telemetry/collector-ec2",
  type: "io.cml-telemetry.ec2.status.v1",
  time: "2026-12-03T12:00:00.000Z",
  datacontenttype: "application/json",
  data: { instanceState: "running" },
};

describe("the CloudEvents 1.0 JSON schema shipped by the cloudevents package", () => {
  it("accepts a structured-mode event with extensions", () => {
    expect(validate({ ...valid, correlationid: "corr-1" })).toBeUndefined();
  });

  it.each([
    ["without an id", { id: undefined }, "must have required property 'id'"],
    ["without a specversion", { specversion: undefined }, "must have required property 'specversion'"],
    ["with an empty type", { type: "" }, "/type must NOT have fewer than 1 characters"],
    ["with a time that is not RFC 3339", { time: "3 December 2026" }, '/time must match format "date-time"'],
    ["with a data content type that is not a string", { datacontenttype: 42 }, "/datacontenttype must be"],
  ])("rejects an event %s, naming the field", (_case, patch, message) => {
    const event = JSON.parse(JSON.stringify({ ...valid, ...patch })) as unknown;
    expect(validate(event)).toContain(message);
  });
});
