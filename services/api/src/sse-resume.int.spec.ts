import { createTopology, domainEvents, type Topology } from "@cml-telemetry/contracts";
import { connectNats, provisionTopology, silentLogger } from "@cml-telemetry/messaging";
import { startNatsServer, type TestNatsServer, uniquePrefix } from "@cml-telemetry/testing";
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningApi } from "./start-api.ts";
import { publishDomainEvent } from "./testing/publish-domain-event.ts";
import { createSseReader } from "./testing/read-sse.ts";
import { startTestApi } from "./testing/start-test-api.ts";
import { aWorkerState } from "./testing/worker-state-builder.ts";

let server: TestNatsServer;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let topology: Topology;
let running: RunningApi;

const worker = aWorkerState();
const statusChanged = (version: number) =>
  publishDomainEvent(js, "status_changed", {
    ...domainEvents.status_changed.example,
    workerId: worker.id,
    version,
  });

async function resume(lastEventId: string) {
  const response = await fetch(`${running.url}/api/v1/events?worker_id=${worker.id}`, {
    headers: { "last-event-id": lastEventId },
  });
  expect(response.status).toBe(200);
  const reader = createSseReader(response.body as ReadableStream<Uint8Array>);
  await reader.waitForComment("connected");
  return reader;
}

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url, name: "api-sse-resume", logger: silentLogger });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  topology = createTopology({ namePrefix: uniquePrefix() });
  running = await startTestApi({ nc, topology });
});

afterAll(async () => {
  await running?.stop();
  await nc?.drain();
  await server?.stop();
});

describe("SSE resume from a Last-Event-ID the stream no longer holds", () => {
  it("sends event: reset when the events after Last-Event-ID are gone, then the live events", async () => {
    const first = await statusChanged(1);
    await statusChanged(2);
    await statusChanged(3);
    await jsm.streams.purge(topology.streams.workerEvents.name);
    const reader = await resume(String(first));
    const reset = await reader.next(5_000);
    expect(reset?.event).toBe("reset");
    const live = await statusChanged(4);
    expect((await reader.next(5_000))?.id).toBe(String(live));
    await reader.cancel();
  });

  it("sends event: reset for a Last-Event-ID from before the stream was recreated, then every new event", async () => {
    const name = topology.streams.workerEvents.name;
    for (let version = 5; version <= 8; version++) await statusChanged(version);
    const { state } = await jsm.streams.info(name);
    await jsm.streams.delete(name);
    await provisionTopology(nc, topology, { logger: silentLogger, streams: ["workerEvents"] });
    const reader = await resume(String(state.last_seq));
    expect((await reader.next(5_000))?.event).toBe("reset");
    const fresh = [await statusChanged(9), await statusChanged(10), await statusChanged(11)];
    const ids = [];
    for (let index = 0; index < 3; index++) ids.push((await reader.next(5_000))?.id);
    expect(ids).toEqual(fresh.map(String));
    await reader.cancel();
  });
});
