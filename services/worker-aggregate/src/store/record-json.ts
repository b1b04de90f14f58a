import type { WorkerRecord } from "@cml-telemetry/contracts";

/** A record as JSON text, with each outbox entry's own JSON text (the payload its publish sends). */
export interface RecordJson {
  readonly json: string;
  readonly entries: readonly string[];
  /** The record's text with an empty outbox (what it amounts to once the outbox is published). */
  readonly publishedJson: string;
}

/**
 * Serialises a record for its KV write and its outbox for the publishes in one pass: each entry is serialised
 * once and the record's text is put together from the parts (the same text as `JSON.stringify(record)`).
 */
export function recordJson(record: WorkerRecord): RecordJson {
  const entries = record.outbox.map((entry) => JSON.stringify(entry));
  const state = `{"state":${JSON.stringify(record.state)},"outbox":[`;
  const recent = `],"recentInputIds":${JSON.stringify(record.recentInputIds)}}`;
  return { json: state + entries.join(",") + recent, entries, publishedJson: state + recent };
}
