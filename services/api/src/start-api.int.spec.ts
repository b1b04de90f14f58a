import {
  commands,
  createEvent,
  createTopology,
  type DomainEventName,
  decodeEvent,
  domainEvents,
  encodeEvent,
  historyQueries,
  parseEventData,
  subjects,
  type Topology,
  type WorkerState,
} from "@cml-telemetry/contracts";
import { connectNats, openWorkersKv, silentLogger } from "@cml-telemetry/messaging";
import { createLogger } from "@cml-telemetry/observability";
import { startNatsServer, type TestNatsServer, uniquePrefix, waitFor } from "@cml-telemetry/testing";
import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { sha256Hex } from "./auth/token-authenticator.ts";
import { type RunningApi, startApi } from "./start-api.ts";
import { publishDomainEvent } from "./testing/publish-domain-event.ts";
import { createSseReader } from "./testing/read-sse.ts";
import { aWorkerState } from "./testing/worker-state-builder.ts";

const TOKEN = "integration-operator-token";
const auth = { authorization: `Bearer ${TOKEN}` };

let server: TestNatsServer;
let nc: NatsConnection;
let js: JetStreamClient;
let kv: KV;
let topology: Topology;
let running: RunningApi;

async function putWorker(state: WorkerState): Promise<void> {
  await kv.put(state.id, JSON.stringify({ state, outbox: [], recentInputIds: [] }));
}

function publish(
  name: DomainEventName,
  data: Record<string, unknown>,
  correlationId?: string,
): Promise<number> {
  return publishDomainEvent(js, name, data, correlationId);
}

function statusChanged(workerId: string, version: number) {
  return publish("status_changed", { ...domainEvents.status_changed.example, workerId, version });
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url, name: "api-int-test", logger: silentLogger });
  js = jetstream(nc);
  topology = createTopology({ namePrefix: uniquePrefix() });
  running = await startApi({
    nc,
    topology,
    logger: createLogger({ service: "api", level: "silent" }),
    tokens: [{ name: "int", role: "operator", sha256: sha256Hex(TOKEN) }],
    host: "127.0.0.1",
    port: 0,
    settings: { heartbeatMs: 200, refreshWaitMaxSeconds: 10 },
  });
  kv = await openWorkersKv(nc, topology);
});

afterAll(async () => {
  await running?.stop();
  await nc?.drain();
  await server?.stop();
});

describe("api against a real nats-server", () => {
  it("shows workers written to KV and serves them from the cache", async () => {
    const worker = aWorkerState();
    await putWorker(worker);
    await waitFor(() => running.readModel.get(worker.id), { what: "worker cached" });
    const response = await fetch(`${running.url}/api/v1/workers/${worker.id}`, { headers: auth });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { instance_id: string }).instance_id).toBe(worker.instanceId);
  });

  it("refresh?wait answers 200 once the domain events of that correlation id arrive and the KV caught up", async () => {
    const worker = aWorkerState({ httpsEndpoint: null });
    await putWorker(worker);
    await waitFor(() => running.readModel.get(worker.id), { what: "worker cached" });
    const answered = (async () => {
      const seen = new Map<string, string>();
      const sub = nc.subscribe(`cml.cmd.collect.*.${worker.id}`);
      for await (const msg of sub) {
        const event = decodeEvent(msg.data);
        const command = parseEventData(commands.collect, event);
        const correlationId = String((event as Record<string, unknown>).correlationid);
        seen.set(msg.subject.split(".")[3] as string, correlationId);
        expect(command.reason).toBe("refresh");
        if (seen.size === 2) {
          sub.unsubscribe();
          return correlationId;
        }
      }
      return undefined;
    })();
    const request = fetch(`${running.url}/api/v1/workers/${worker.id}/refresh?wait=8`, {
      method: "POST",
      headers: auth,
    });
    const correlationId = await answered;
    expect(correlationId).toBeDefined();
    const base = { workerId: worker.id, observedAt: "2026-11-25T12:00:00.000Z" };
    await publish(
      "ec2_metrics_updated",
      { ...domainEvents.ec2_metrics_updated.example, ...base, version: 2 },
      "other",
    );
    await publish(
      "ec2_metrics_updated",
      { ...domainEvents.ec2_metrics_updated.example, ...base, version: 2 },
      correlationId,
    );
    await publish(
      "source_failed",
      { ...domainEvents.source_failed.example, ...base, source: "cloudwatch", version: 3 },
      correlationId,
    );
    await putWorker({ ...worker, version: 3, instanceType: "c5.metal" });
    const response = await request;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { instance_type: string }).instance_type).toBe("c5.metal");
  });

  it("SSE: a client that disconnects resumes with Last-Event-ID and misses nothing", async () => {
    const worker = aWorkerState();
    const first = await fetch(`${running.url}/api/v1/events?worker_id=${worker.id}`, { headers: auth });
    const reader = createSseReader(first.body as ReadableStream<Uint8Array>);
    await reader.waitForComment("connected");
    const sequences = [];
    for (let version = 1; version <= 3; version++) sequences.push(await statusChanged(worker.id, version));
    const received: string[] = [];
    for (let index = 0; index < 2; index++) received.push((await reader.next(5_000))?.id ?? "");
    await reader.cancel();
    const missed = [];
    for (let version = 4; version <= 6; version++) missed.push(await statusChanged(worker.id, version));
    const second = await fetch(`${running.url}/api/v1/events?worker_id=${worker.id}`, {
      headers: { ...auth, "last-event-id": received[1] as string },
    });
    const resumed = createSseReader(second.body as ReadableStream<Uint8Array>);
    await resumed.waitForComment("connected");
    const live = await statusChanged(worker.id, 7);
    const after: string[] = [];
    for (let index = 0; index < 5; index++) after.push((await resumed.next(5_000))?.id ?? "");
    await resumed.cancel();
    expect([...received, ...after]).toEqual([...sequences, ...missed, live].map(String));
  });

  it("WebSocket: connect and close emit connection ops events; subscribed events are pushed", async () => {
    const ops: Array<{ type: string; data: { reason?: string; transport: string } }> = [];
    const opsSub = nc.subscribe(subjects.opsConnection, {
      callback: (_error, msg) => {
        const event = decodeEvent(msg.data) as never as (typeof ops)[number];
        if (event.data.transport === "websocket") ops.push(event);
      },
    });
    const worker = aWorkerState();
    const socket = new WebSocket(`${running.url.replace("http", "ws")}/api/v1/ws`, { headers: auth });
    const messages: Array<Record<string, unknown>> = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    await waitFor(() => messages.find((message) => message.type === "welcome"), { what: "welcome" });
    socket.send(JSON.stringify({ action: "subscribe", worker_id: worker.id, types: ["status_changed"] }));
    await waitFor(() => messages.find((message) => message.type === "subscribed"), { what: "subscribed" });
    const seq = await statusChanged(worker.id, 1);
    await waitFor(() => messages.find((message) => message.type === "event" && message.seq === seq), {
      what: "event pushed",
    });
    socket.close();
    await waitFor(() => ops.find((event) => event.type === "io.cml-telemetry.connection.closed.v1"), {
      what: "closed ops event",
    });
    opsSub.unsubscribe();
    expect(ops[0]?.type).toBe("io.cml-telemetry.connection.established.v1");
    expect(ops.find((event) => event.type.endsWith("closed.v1"))?.data).toMatchObject({
      transport: "websocket",
      reason: "client_closed",
    });
  });

  it("WebSocket: refuses a client without a token (401) and explains a bad message", async () => {
    const refused = new WebSocket(`${running.url.replace("http", "ws")}/api/v1/ws`);
    const status = await new Promise<number>((resolve) => {
      refused.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      refused.once("open", () => resolve(101));
    });
    expect(status).toBe(401);
    const socket = new WebSocket(`${running.url.replace("http", "ws")}/api/v1/ws?access_token=${TOKEN}`);
    const messages: Array<Record<string, unknown>> = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send("{not json");
    await waitFor(() => messages.find((message) => message.type === "error"), { what: "error reply" });
    socket.close();
  });

  it("/metrics shows the worker gauges with labels for workers written to KV", async () => {
    const worker = aWorkerState({
      region: "ap-south-1",
      cloudwatchMetrics: { ...aWorkerState().cloudwatchMetrics, cpuUtilization: 33 },
    });
    await putWorker(worker);
    await waitFor(() => running.readModel.get(worker.id), { what: "worker cached" });
    expect((await fetch(`${running.url}/metrics`)).status).toBe(401);
    const text = await (await fetch(`${running.url}/metrics`, { headers: auth })).text();
    expect(text).toMatch(
      new RegExp(`cml_worker_cpu_utilization\\{worker_id="${worker.id}",region="ap-south-1"\\} 33`),
    );
    expect(text).toMatch(new RegExp(`cml_worker_status\\{worker_id="${worker.id}",region="ap-south-1"\\} 1`));
  });

  it("history: answers from a metrics-history responder, 503 when nobody answers", async () => {
    const worker = aWorkerState();
    await putWorker(worker);
    await waitFor(() => running.readModel.get(worker.id), { what: "worker cached" });
    const none = await fetch(`${running.url}/api/v1/workers/${worker.id}/metrics/history`, { headers: auth });
    expect(none.status).toBe(503);
    const responder = nc.subscribe(subjects.historyQuery, {
      callback: (_error, msg) => {
        const request = parseEventData(historyQueries.request, decodeEvent(msg.data));
        const reply = createEvent(historyQueries.reply, {
          source: "metrics-history",
          data: {
            ok: true,
            workerId: request.workerId,
            from: request.from,
            to: request.to,
            intervalSeconds: null,
            samples: [
              { timestamp: request.from, source: "cloudwatch", region: "us-east-1", values: { cpu: 7 } },
            ],
          },
        });
        msg.respond(encodeEvent(reply));
      },
    });
    await nc.flush();
    const answered = await fetch(`${running.url}/api/v1/workers/${worker.id}/metrics/history`, {
      headers: auth,
    });
    responder.unsubscribe();
    expect(answered.status).toBe(200);
    expect(((await answered.json()) as { samples: Array<{ values: object }> }).samples[0]?.values).toEqual({
      cpu: 7,
    });
  });

  it("GET /workers/:id/events reads the worker's stored events newest first across pages", async () => {
    const worker = aWorkerState();
    await putWorker(worker);
    await waitFor(() => running.readModel.get(worker.id), { what: "worker cached" });
    const own = [];
    for (let version = 1; version <= 5; version++) {
      own.push(await statusChanged(worker.id, version));
      await statusChanged(aWorkerState().id, version);
    }
    const first = (await (
      await fetch(`${running.url}/api/v1/workers/${worker.id}/events?limit=3`, { headers: auth })
    ).json()) as { items: Array<{ seq: number }>; next_cursor: string };
    const second = (await (
      await fetch(`${running.url}/api/v1/workers/${worker.id}/events?limit=3&cursor=${first.next_cursor}`, {
        headers: auth,
      })
    ).json()) as { items: Array<{ seq: number }>; next_cursor: string | null };
    expect([...first.items, ...second.items].map((item) => item.seq)).toEqual([...own].reverse());
    expect(second.next_cursor).toBeNull();
  });
});
