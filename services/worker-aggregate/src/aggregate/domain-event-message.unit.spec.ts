import { decodeEvent, definitionOfType, domainEvents, parseEventData } from "@cml-telemetry/contracts";
import { createCloudEventSchemaValidator } from "@cml-telemetry/contracts/testing";
import { describe, expect, it } from "vitest";
import { dateAt, WORKER_ID } from "../testing/worker-fixtures.ts";
import { domainEventMsgId, subjectOfOutboxEntry, toOutboxEntry } from "./domain-event-message.ts";

const validateCloudEvent = createCloudEventSchemaValidator();

describe("toOutboxEntry", () => {
  it("builds a valid CloudEvent with the msg-id as id, the worker as subject and the correlation id", () => {
    const event = {
      name: "status_changed",
      data: { ...domainEvents.status_changed.example, workerId: WORKER_ID },
    } as const;
    const entry = toOutboxEntry(event, 2, { time: dateAt(0), correlationId: "refresh-1" });
    expect(validateCloudEvent(entry)).toBeUndefined();
    expect(entry).toMatchObject({
      id: `${WORKER_ID}:7:2`,
      source: "/cml-telemetry/worker-aggregate",
      type: "io.cml-telemetry.worker.status_changed.v1",
      subject: WORKER_ID,
      correlationid: "refresh-1",
    });
    const decoded = decodeEvent(JSON.stringify(entry));
    const definition = definitionOfType(decoded.type);
    expect(definition && parseEventData(definition, decoded)).toEqual(event.data);
    expect(subjectOfOutboxEntry(entry)).toBe(`cml.worker.${WORKER_ID}.status_changed`);
  });

  it("leaves correlationid out when the input had none", () => {
    const event = {
      name: "terminated",
      data: { ...domainEvents.terminated.example, workerId: WORKER_ID },
    } as const;
    expect(toOutboxEntry(event, 0, { time: dateAt(0) })).not.toHaveProperty("correlationid");
    expect(domainEventMsgId(WORKER_ID, 3, 1)).toBe(`${WORKER_ID}:3:1`);
  });
});
