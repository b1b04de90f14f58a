import { OUTBOX_SYSTEM_INFO_REF, type WorkerRecord, type WorkerState } from "@cml-telemetry/contracts";
import type { OutboxEntry } from "../aggregate/domain-event-message.ts";

/** A record as JSON text, with each outbox entry's own JSON text (the payload its publish sends). */
export interface RecordJson {
  readonly json: string;
  readonly entries: readonly string[];
}

const SYSTEM_INFO_REF = JSON.stringify({ $ref: OUTBOX_SYSTEM_INFO_REF });

function systemInfoOf(entry: OutboxEntry): unknown {
  const data = entry.data as { systemInfo?: unknown } | undefined;
  return data?.systemInfo;
}

/**
 * Serialises a record for its KV write and its outbox for the publishes in one pass: each entry is serialised
 * once and the record's text is put together from the parts. The record keeps CML's `systemInfo` once: an outbox
 * entry carrying the state's own `systemInfo` (the event that set it) holds `{ "$ref": OUTBOX_SYSTEM_INFO_REF }` in
 * the record, and the full body only in its publish payload ({@link outboxEntryToPublish} restores it).
 */
export function recordJson(record: WorkerRecord): RecordJson {
  const entries = record.outbox.map((entry) => JSON.stringify(entry));
  const systemInfo = record.state.cmlMetrics.systemInfo;
  let stored = entries;
  if (systemInfo !== null && record.outbox.some((entry) => systemInfoOf(entry) === systemInfo)) {
    const full = `"systemInfo":${JSON.stringify(systemInfo)}`;
    stored = entries.map((json, index) =>
      systemInfoOf(record.outbox[index] as OutboxEntry) === systemInfo
        ? json.replace(full, `"systemInfo":${SYSTEM_INFO_REF}`)
        : json,
    );
  }
  const state = `{"state":${JSON.stringify(record.state)},"outbox":[`;
  const recent = `],"recentInputIds":${JSON.stringify(record.recentInputIds)}}`;
  return { json: state + stored.join(",") + recent, entries };
}

/** An outbox entry as read from a record, with a `systemInfo` kept only in the state ({@link recordJson}) put back. */
export function outboxEntryToPublish(entry: OutboxEntry, state: WorkerState): OutboxEntry {
  const systemInfo = systemInfoOf(entry) as { $ref?: unknown } | null | undefined;
  if (systemInfo?.$ref !== OUTBOX_SYSTEM_INFO_REF) return entry;
  return { ...entry, data: { ...(entry.data as object), systemInfo: state.cmlMetrics.systemInfo } };
}
