import { describe, expect, it } from "vitest";
import { discoveredRecord } from "../testing/discovered-record.ts";
import { recordJson } from "./record-json.ts";

describe("recordJson", () => {
  it("gives the text JSON.stringify gives, and each outbox entry's own text", () => {
    const record = discoveredRecord();
    expect(record.outbox.length).toBeGreaterThan(1);
    const { json, entries, publishedJson } = recordJson(record);
    expect(json).toBe(JSON.stringify(record));
    expect(entries).toEqual(record.outbox.map((entry) => JSON.stringify(entry)));
    expect(publishedJson).toBe(JSON.stringify({ ...record, outbox: [] }));
  });

  it("handles an empty outbox", () => {
    const record = { ...discoveredRecord(), outbox: [] };
    expect(recordJson(record)).toEqual({
      json: JSON.stringify(record),
      entries: [],
      publishedJson: JSON.stringify(record),
    });
  });
});
