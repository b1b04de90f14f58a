import {
  type CmlCloudEvent,
  createTopology,
  decodeEvent,
  workerRecordSchema,
} from "@cml-telemetry/contracts";
import { openWorkersKv } from "@cml-telemetry/messaging";
import { simControl } from "@cml-telemetry/testing";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";

/** JSON of an API route; throws with the problem body on an unexpected status. */
export async function api<T>(
  base: string,
  path: string,
  init: RequestInit & { expect?: number[] } = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  const body = (text ? JSON.parse(text) : undefined) as T;
  const expected = init.expect ?? [200];
  if (!expected.includes(response.status)) {
    throw new Error(`${init.method ?? "GET"} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
  }
  return { status: response.status, body };
}

/** A worker as the API returns it (the fields the e2e tests read). */
export interface ApiWorker {
  id: string;
  name: string | null;
  region: string;
  instance_id: string;
  status: string;
  service_status: string;
  https_endpoint: string | null;
  ec2_metrics: { last_checked_at: string | null; last_error: unknown };
  cloudwatch_metrics: {
    cpu_utilization: number | null;
    last_collected_at: string | null;
    last_error: unknown;
  };
  cml_metrics: {
    ready: boolean | null;
    labs_count: number | null;
    last_synced_at: string | null;
    last_error: { type: string; message: string; at: string } | null;
  };
}

export async function listWorkers(base: string): Promise<ApiWorker[]> {
  const { body } = await api<{ items: ApiWorker[]; next_cursor: string | null }>(
    base,
    "/api/v1/workers?limit=1000",
  );
  return body.items;
}

/** Simulator control API. */
export const sim = simControl;

/** A message of a stream, decoded (raw JSON kept for envelope checks, `Nats-Msg-Id` for dedupe checks). */
export interface StreamMessage {
  readonly subject: string;
  /** Stream sequence (0 for a message seen on the wire rather than read from the stream). */
  readonly seq: number;
  readonly raw: unknown;
  readonly event: CmlCloudEvent<unknown>;
  readonly msgId: string | undefined;
}

function decodeMessage(
  subject: string,
  seq: number,
  data: Uint8Array,
  msgId: string | undefined,
): StreamMessage {
  const text = new TextDecoder().decode(data);
  return { subject, seq, raw: JSON.parse(text), event: decodeEvent(text), msgId };
}

/** Every message currently in a stream, decoded. */
export async function readStream(nc: NatsConnection, stream: string): Promise<StreamMessage[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  const total = info.state.messages;
  const out: StreamMessage[] = [];
  if (total === 0) return out;
  const consumer = await jetstream(nc).consumers.get(stream);
  const messages = await consumer.fetch({ max_messages: total, expires: 5_000 });
  for await (const message of messages) {
    out.push(decodeMessage(message.subject, message.seq, message.data, message.headers?.get("Nats-Msg-Id")));
    if (out.length >= total) break;
  }
  return out;
}

/**
 * What a work-queue stream still holds, read by sequence (a consumer of the test's own would take the messages
 * from the services' consumers; the ones already handled are gone).
 */
export async function readWorkQueue(nc: NatsConnection, stream: string): Promise<StreamMessage[]> {
  const jsm = await jetstreamManager(nc);
  const { first_seq: first, last_seq: last } = (await jsm.streams.info(stream)).state;
  const out: StreamMessage[] = [];
  for (let seq = first; seq > 0 && seq <= last; seq += 1) {
    const stored = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (stored)
      out.push(decodeMessage(stored.subject, stored.seq, stored.data, stored.header.get("Nats-Msg-Id")));
  }
  return out;
}

/** Every message published on `subjects` from now on, headers included, seen by a plain subscription. */
export function capturePublished(
  nc: NatsConnection,
  subjects: readonly string[],
): { messages(): readonly StreamMessage[]; stop(): void } {
  const seen: StreamMessage[] = [];
  const subscriptions = subjects.map((subject) =>
    nc.subscribe(subject, {
      callback: (error, message) => {
        if (!error)
          seen.push(decodeMessage(message.subject, 0, message.data, message.headers?.get("Nats-Msg-Id")));
      },
    }),
  );
  return {
    messages: () => seen,
    stop: () => {
      for (const subscription of subscriptions) subscription.unsubscribe();
    },
  };
}

/** The decision version of every worker record in KV `cml_workers` (its domain events are `<id>:<version>:<n>`). */
export async function workerVersions(nc: NatsConnection): Promise<Map<string, number>> {
  const kv = await openWorkersKv(nc, createTopology());
  const versions = new Map<string, number>();
  for await (const key of await kv.keys()) {
    const entry = await kv.get(key);
    if (entry && entry.operation === "PUT")
      versions.set(key, workerRecordSchema.parse(entry.json()).state.version);
  }
  return versions;
}
