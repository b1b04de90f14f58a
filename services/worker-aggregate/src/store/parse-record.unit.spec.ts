import { LIFECYCLE_STATE_FIELDS } from "@cml-telemetry/contracts";
import { describe, expect, it } from "vitest";
import { discoveredRecord } from "../testing/discovered-record.ts";
import { at } from "../testing/worker-fixtures.ts";
import { parseRecord } from "./parse-record.ts";

/** The record's JSON as a release without the status clock, run start and lifecycle fields wrote it. */
function legacyJson(state: Record<string, unknown>): string {
  const {
    statusObservedAt: _clock,
    runningSince: _run,
    ...legacy
  }: Record<string, unknown> = {
    ...discoveredRecord().state,
    ...state,
  };
  for (const field of LIFECYCLE_STATE_FIELDS) delete legacy[field];
  return JSON.stringify({ ...discoveredRecord(), state: legacy });
}

describe("parseRecord", () => {
  it("reads a current record as it was written", () => {
    const record = discoveredRecord();
    expect(parseRecord(JSON.stringify(record))).toEqual(record);
    expect(parseRecord(JSON.stringify(record), { validate: true })).toEqual(record);
  });

  it("gives a record written before the status clock the newer of its last discovery and status check", () => {
    const checkedLater = legacyJson({
      lastDiscoveredAt: at(0),
      ec2Metrics: { ...discoveredRecord().state.ec2Metrics, lastCheckedAt: at(4) },
    });
    expect(parseRecord(checkedLater).state).toMatchObject({ statusObservedAt: at(4), runningSince: null });
    expect(parseRecord(checkedLater, { validate: true }).state.statusObservedAt).toBe(at(4));
    expect(parseRecord(legacyJson({ lastDiscoveredAt: at(2) })).state.statusObservedAt).toBe(at(2));
    expect(parseRecord(legacyJson({ lastDiscoveredAt: null })).state.statusObservedAt).toBeNull();
  });

  it("gives a record written before the lifecycle fields null ones (no request, no usage counted yet)", () => {
    const lifecycle = Object.fromEntries(LIFECYCLE_STATE_FIELDS.map((field) => [field, null]));
    expect(parseRecord(legacyJson({})).state).toMatchObject(lifecycle);
    expect(parseRecord(legacyJson({}), { validate: true }).state).toMatchObject(lifecycle);
  });
});
