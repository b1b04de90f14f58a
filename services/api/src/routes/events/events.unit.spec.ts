import { domainEvents } from "@cml-telemetry/contracts";
import { describe, expect, it } from "vitest";
import { createTestApp } from "../../app/create-test-app.ts";
import { createSseReader } from "../../testing/read-sse.ts";
import { aWorkerState } from "../../testing/worker-state-builder.ts";

const workerA = aWorkerState();
const workerB = aWorkerState();

function statusChanged(t: ReturnType<typeof createTestApp>, workerId: string, version: number) {
  return t.feed.append("status_changed", { ...domainEvents.status_changed.example, workerId, version });
}

async function open(t: ReturnType<typeof createTestApp>, query = "", headers: Record<string, string> = {}) {
  const response = await t.app.request(`/api/v1/events${query}`, {
    headers: { ...t.auth("viewer"), ...headers },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const reader = createSseReader(response.body as ReadableStream<Uint8Array>);
  await reader.waitForComment("connected");
  return reader;
}

describe("GET /api/v1/events (SSE)", () => {
  it("streams live domain events with id = stream sequence, event = name, data = CloudEvent", async () => {
    const t = createTestApp();
    const reader = await open(t);
    const appended = statusChanged(t, workerA.id, 1);
    const message = await reader.next();
    expect(message).toMatchObject({ id: String(appended.seq), event: "status_changed" });
    expect(JSON.parse(message?.data ?? "{}")).toMatchObject({
      type: domainEvents.status_changed.type,
      subject: workerA.id,
    });
    await reader.cancel();
  });

  it("filters by worker_id and type", async () => {
    const t = createTestApp();
    const reader = await open(t, `?worker_id=${workerB.id}&type=terminated`);
    statusChanged(t, workerB.id, 1);
    statusChanged(t, workerA.id, 1);
    const wanted = t.feed.append("terminated", {
      ...domainEvents.terminated.example,
      workerId: workerB.id,
      version: 2,
    });
    t.feed.append("terminated", { ...domainEvents.terminated.example, workerId: workerA.id, version: 2 });
    expect((await reader.next())?.id).toBe(String(wanted.seq));
    await reader.cancel();
  });

  it("resumes after Last-Event-ID with the stored events, then continues live without gaps or duplicates", async () => {
    const t = createTestApp();
    for (let version = 1; version <= 4; version++) statusChanged(t, workerA.id, version);
    const reader = await open(t, "", { "last-event-id": "2" });
    const live = statusChanged(t, workerA.id, 5);
    const ids = [];
    for (let index = 0; index < 3; index++) ids.push((await reader.next())?.id);
    expect(ids).toEqual(["3", "4", String(live.seq)]);
    await reader.cancel();
  });

  it("sends heartbeat comments", async () => {
    const t = createTestApp({ settings: { heartbeatMs: 20 } });
    const reader = await open(t);
    await reader.waitForComment("heartbeat");
    await reader.cancel();
  });

  it("uses one shared feed subscription for every client and emits connection ops events", async () => {
    const t = createTestApp();
    const first = await open(t);
    const second = await open(t);
    expect(t.feed.listenerCount()).toBe(1);
    expect(t.hub.size()).toBe(2);
    const bothClosed = t.ops.next((recorded) => recorded.filter((op) => op.kind === "closed").length === 2);
    await first.cancel();
    await second.cancel();
    await bothClosed;
    expect(t.ops.recorded.filter((op) => op.kind === "established")).toHaveLength(2);
    const closed = t.ops.recorded.filter((op) => op.kind === "closed");
    expect(closed).toHaveLength(2);
    expect(closed[0]).toMatchObject({ transport: "sse", reason: "client_closed" });
    expect(t.hub.size()).toBe(0);
  });

  it("drops a client that does not read (bounded queue) with reason slow_consumer", async () => {
    const t = createTestApp({ settings: { queueLimits: { maxEvents: 5, maxBytes: 1_000_000 } } });
    const response = await t.app.request("/api/v1/events", { headers: t.auth("viewer") });
    const closed = t.ops.next((recorded) => recorded.some((op) => op.kind === "closed"));
    for (let version = 1; version <= 200; version++) statusChanged(t, workerA.id, version);
    await closed;
    expect(t.ops.recorded.find((op) => op.kind === "closed")).toMatchObject({ reason: "slow_consumer" });
    expect(t.hub.size()).toBe(0);
    await response.body?.cancel();
  });

  it("drops a client whose socket stops taking writes, after the write timeout, even with room in its queue", async () => {
    const t = createTestApp({ settings: { sseWriteTimeoutMs: 50 } });
    const response = await t.app.request("/api/v1/events", { headers: t.auth("viewer") });
    const reader = createSseReader(response.body as ReadableStream<Uint8Array>);
    await reader.waitForComment("connected");
    const closed = t.ops.next((recorded) => recorded.some((op) => op.kind === "closed"));
    for (let version = 1; version <= 3; version++) statusChanged(t, workerA.id, version);
    await closed;
    expect(t.ops.recorded.find((op) => op.kind === "closed")).toMatchObject({ reason: "write_timeout" });
    expect(t.hub.size()).toBe(0);
    await reader.cancel();
  });

  it("drops a client whose socket stops taking even the heartbeats", async () => {
    const t = createTestApp({ settings: { heartbeatMs: 10, sseWriteTimeoutMs: 50 } });
    const response = await t.app.request("/api/v1/events", { headers: t.auth("viewer") });
    const reader = createSseReader(response.body as ReadableStream<Uint8Array>);
    await reader.waitForComment("connected");
    await t.ops.next((recorded) => recorded.some((op) => op.kind === "closed"));
    expect(t.ops.recorded.find((op) => op.kind === "closed")).toMatchObject({ reason: "write_timeout" });
    expect(t.hub.size()).toBe(0);
    await reader.cancel();
  });

  it("sends event: reset when the events after Last-Event-ID were dropped from the stream, then live events", async () => {
    const t = createTestApp();
    for (let version = 1; version <= 6; version++) statusChanged(t, workerA.id, version);
    t.feed.dropBefore(5);
    const reader = await open(t, "", { "last-event-id": "2" });
    const reset = await reader.next();
    expect(reset).toMatchObject({ event: "reset", id: "6" });
    expect(JSON.parse(reset?.data ?? "{}")).toEqual({
      reason: "events_expired",
      last_event_id: 2,
      first_seq: 5,
      last_seq: 6,
    });
    const live = statusChanged(t, workerA.id, 7);
    expect((await reader.next())?.id).toBe(String(live.seq));
    await reader.cancel();
  });

  it("sends event: reset for a Last-Event-ID beyond the stream (recreated), then every new event", async () => {
    const t = createTestApp();
    for (let version = 1; version <= 6; version++) statusChanged(t, workerA.id, version);
    t.feed.recreate();
    const reader = await open(t, "", { "last-event-id": "6" });
    expect(await reader.next()).toMatchObject({ event: "reset", id: "0" });
    const fresh = [statusChanged(t, workerA.id, 1), statusChanged(t, workerA.id, 2)];
    expect([(await reader.next())?.id, (await reader.next())?.id]).toEqual(
      fresh.map((event) => String(event.seq)),
    );
    await reader.cancel();
  });

  it("resumes without reset from the sequence just before the first one held", async () => {
    const t = createTestApp();
    for (let version = 1; version <= 6; version++) statusChanged(t, workerA.id, version);
    t.feed.dropBefore(5);
    const reader = await open(t, "", { "last-event-id": "4" });
    expect([(await reader.next())?.id, (await reader.next())?.id]).toEqual(["5", "6"]);
    await reader.cancel();
  });

  it("caps live connections per token (429) and in total (503)", async () => {
    const t = createTestApp({ settings: { maxLiveConnections: 2, maxLiveConnectionsPerToken: 1 } });
    const first = await open(t);
    const again = await t.app.request("/api/v1/events", { headers: t.auth("viewer") });
    expect(again.status).toBe(429);
    expect(again.headers.get("retry-after")).not.toBeNull();
    const second = await t.app.request("/api/v1/events", { headers: t.auth("operator") });
    expect(second.status).toBe(200);
    await second.body?.cancel();
    await first.cancel();
  });

  it("closes every client with server_shutdown on close()", async () => {
    const t = createTestApp();
    const reader = await open(t);
    t.close();
    expect(await reader.next()).toBeUndefined();
    expect(t.ops.recorded.find((op) => op.kind === "closed")).toMatchObject({ reason: "server_shutdown" });
  });

  it.each([
    ["?type=nope", {}, "type"],
    ["?worker_id=a.b", {}, "worker_id"],
    ["", { "last-event-id": "abc" }, "last-event-id"],
  ])("answers 400 for bad input %s %j", async (query, headers, param) => {
    const t = createTestApp();
    const response = await t.app.request(`/api/v1/events${query}`, {
      headers: { ...t.auth("viewer"), ...headers },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { param: string }).param).toBe(param);
  });

  it("accepts access_token in the query for EventSource clients, 401 without any token", async () => {
    const t = createTestApp();
    const denied = await t.app.request("/api/v1/events");
    expect(denied.status).toBe(401);
    const allowed = await t.app.request("/api/v1/events?access_token=viewer-secret-token");
    expect(allowed.status).toBe(200);
    await allowed.body?.cancel();
    const notHere = await t.app.request("/api/v1/workers?access_token=viewer-secret-token");
    expect(notHere.status).toBe(401);
  });
});
