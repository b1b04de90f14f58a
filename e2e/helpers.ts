import { type CmlCloudEvent, decodeEvent } from "@cml-telemetry/contracts";
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
export async function sim<T>(simUrl: string, path: string, method = "GET", body?: unknown): Promise<T> {
  const response = await fetch(`${simUrl}/_sim${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`simulator ${method} ${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Every message currently in a stream, decoded (raw bytes kept for envelope checks). */
export async function readStream(
  nc: NatsConnection,
  stream: string,
): Promise<Array<{ subject: string; seq: number; raw: unknown; event: CmlCloudEvent<unknown> }>> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  const total = info.state.messages;
  const out: Array<{ subject: string; seq: number; raw: unknown; event: CmlCloudEvent<unknown> }> = [];
  if (total === 0) return out;
  const consumer = await jetstream(nc).consumers.get(stream);
  const messages = await consumer.fetch({ max_messages: total, expires: 5_000 });
  for await (const message of messages) {
    const text = new TextDecoder().decode(message.data);
    out.push({ subject: message.subject, seq: message.seq, raw: JSON.parse(text), event: decodeEvent(text) });
    if (out.length >= total) break;
  }
  return out;
}
