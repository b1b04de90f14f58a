import type { WorkerRecord } from "@cml-telemetry/contracts";
import { describe, expect, it } from "vitest";
import { applyCommands } from "../aggregate/apply-commands.ts";
import { discoveredRecord } from "../testing/discovered-record.ts";
import { commandOf, dateAt, WORKER_ID } from "../testing/worker-fixtures.ts";
import { outboxEntryToPublish, recordJson } from "./record-json.ts";

describe("recordJson", () => {
  it("gives the text JSON.stringify gives, and each outbox entry's own text", () => {
    const record = discoveredRecord();
    expect(record.outbox.length).toBeGreaterThan(1);
    const { json, entries } = recordJson(record);
    expect(json).toBe(JSON.stringify(record));
    expect(entries).toEqual(record.outbox.map((entry) => JSON.stringify(entry)));
  });

  it("handles an empty outbox", () => {
    const record = { ...discoveredRecord(), outbox: [] };
    expect(recordJson(record)).toEqual({
      json: JSON.stringify(record),
      entries: [],
    });
  });
});

describe("recordJson with CML's systemInfo", () => {
  const systemInfo = { version: "2.9.1+build.7", ready: true, padding: "p".repeat(5_000) };
  /** The record after a CML observation was decided on the discovered worker. */
  const afterCml = (): WorkerRecord =>
    applyCommands(
      { ...discoveredRecord(), outbox: [] },
      WORKER_ID,
      [commandOf.cml({ systemInfo })],
      dateAt(1),
    ).record;

  it("keeps the body once in the record and whole in the publish payloads", () => {
    const record = afterCml();
    const { json, entries } = recordJson(record);
    expect(json.split("p".repeat(5_000))).toHaveLength(2);
    expect(entries).toEqual(record.outbox.map((entry) => JSON.stringify(entry)));
    const stored = JSON.parse(json) as WorkerRecord;
    expect(stored.state).toEqual(record.state);
    expect(stored.outbox.at(-1)?.data).toMatchObject({
      systemInfo: { $ref: "#/state/cmlMetrics/systemInfo" },
    });
  });

  it("restores the body of an entry read back from the record", () => {
    const record = afterCml();
    const stored = JSON.parse(recordJson(record).json) as WorkerRecord;
    expect(stored.outbox.map((entry) => outboxEntryToPublish(entry, stored.state))).toEqual(record.outbox);
  });
});
