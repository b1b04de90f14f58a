import { domainEvents } from "@cml-telemetry/contracts";
import { createLogger } from "@cml-telemetry/observability";
import { describe, expect, it } from "vitest";
import { createLiveHub } from "../../live/live-hub.ts";
import { createFakeConnectionOps } from "../../testing/fake-connection-ops.ts";
import { createFakeEventFeed } from "../../testing/fake-event-feed.ts";
import { aWorkerState } from "../../testing/worker-state-builder.ts";
import { openWsSession, type WsSocket } from "./ws-session.ts";

function fakeSocket() {
  const socket = {
    readyState: 1,
    bufferedAmount: 0,
    sent: [] as Array<Record<string, unknown>>,
    closed: undefined as { code: number; reason: string } | undefined,
    send(text: string) {
      socket.sent.push(JSON.parse(text) as Record<string, unknown>);
    },
    close(code: number, reason: string) {
      socket.closed = { code, reason };
      socket.readyState = 3;
    },
    terminate() {
      socket.terminated = true;
      socket.readyState = 3;
    },
    terminated: false,
  };
  return socket satisfies WsSocket;
}

function setup(limits: { maxSubscriptions?: number } = {}) {
  const feed = createFakeEventFeed();
  const ops = createFakeConnectionOps();
  const hub = createLiveHub({
    feed,
    ops,
    logger: createLogger({ service: "api", level: "silent" }),
    limits: { maxConnections: 10, maxConnectionsPerPrincipal: 10 },
  });
  const socket = fakeSocket();
  const session = openWsSession(hub.reserve("viewer-1"), socket, {
    maxBufferedBytes: 1_000,
    maxSubscriptions: limits.maxSubscriptions ?? 32,
  });
  return { feed, ops, hub, socket, session };
}

const worker = aWorkerState();
const other = aWorkerState();
const statusChanged = (workerId: string, version: number) => ({
  ...domainEvents.status_changed.example,
  workerId,
  version,
});

describe("WebSocket session", () => {
  it("pushes only events matching a subscription, until unsubscribed", () => {
    const { feed, socket, session } = setup();
    expect(socket.sent[0]).toMatchObject({ type: "welcome" });
    feed.append("status_changed", statusChanged(worker.id, 1));
    session.onMessage(JSON.stringify({ action: "subscribe", worker_id: worker.id }));
    const pushed = feed.append("status_changed", statusChanged(worker.id, 2));
    feed.append("status_changed", statusChanged(other.id, 1));
    session.onMessage(JSON.stringify({ action: "unsubscribe", worker_id: worker.id }));
    feed.append("status_changed", statusChanged(worker.id, 3));
    const events = socket.sent.filter((message) => message.type === "event");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ seq: pushed.seq, name: "status_changed", worker_id: worker.id });
    expect(events[0]?.event).toMatchObject({ type: domainEvents.status_changed.type });
  });

  it("drops a socket that buffers too much as slow_consumer (code 4008) with an ops event", () => {
    const { feed, ops, hub, socket, session } = setup();
    session.onMessage(JSON.stringify({ action: "subscribe" }));
    socket.bufferedAmount = 5_000;
    feed.append("status_changed", statusChanged(worker.id, 1));
    expect(socket.closed).toEqual({ code: 4008, reason: "slow_consumer" });
    expect(hub.size()).toBe(0);
    expect(ops.recorded.at(-1)).toMatchObject({
      kind: "closed",
      transport: "websocket",
      reason: "slow_consumer",
    });
  });

  it("closes with 1001 server_shutdown when the hub shuts down, and reports client_closed otherwise", () => {
    const first = setup();
    first.hub.closeAll("server_shutdown");
    expect(first.socket.closed).toEqual({ code: 1001, reason: "server_shutdown" });
    const second = setup();
    second.socket.readyState = 3;
    second.session.onClose();
    expect(second.ops.recorded.at(-1)).toMatchObject({ kind: "closed", reason: "client_closed" });
    expect(second.socket.closed).toBeUndefined();
  });

  it("answers a subscribe with the change only, ignores a repeated one, and closes (1008) past the cap", () => {
    const { socket, session, hub, ops } = setup({ maxSubscriptions: 2 });
    session.onMessage(JSON.stringify({ action: "subscribe", worker_id: worker.id }));
    session.onMessage(JSON.stringify({ action: "subscribe", worker_id: worker.id }));
    session.onMessage(JSON.stringify({ action: "subscribe", worker_id: other.id, types: ["terminated"] }));
    expect(socket.sent.slice(1)).toEqual([
      { type: "subscribed", worker_id: worker.id, types: null, subscriptions: 1 },
      { type: "subscribed", worker_id: worker.id, types: null, subscriptions: 1 },
      { type: "subscribed", worker_id: other.id, types: ["terminated"], subscriptions: 2 },
    ]);
    session.onMessage(JSON.stringify({ action: "subscribe" }));
    expect(socket.closed).toEqual({ code: 1008, reason: "subscription limit of 2 exceeded" });
    expect(hub.size()).toBe(0);
    expect(ops.recorded.at(-1)).toMatchObject({ kind: "closed", reason: "too_many_subscriptions" });
  });

  it("sends replies through the same backpressure rule as events", () => {
    const { socket, session } = setup();
    socket.bufferedAmount = 5_000;
    session.onMessage(JSON.stringify({ action: "subscribe" }));
    expect(socket.closed).toEqual({ code: 4008, reason: "slow_consumer" });
    expect(socket.sent.filter((message) => message.type === "subscribed")).toEqual([]);
  });

  it("drops a client that stopped answering pings without a closing handshake (ping_timeout)", () => {
    const { socket, session, hub, ops } = setup();
    session.onDead();
    expect(socket.terminated).toBe(true);
    expect(socket.closed).toBeUndefined();
    expect(hub.size()).toBe(0);
    expect(ops.recorded.at(-1)).toMatchObject({ kind: "closed", reason: "ping_timeout" });
  });

  it("reports a message over the size limit as message_too_big", () => {
    const { session, ops } = setup();
    session.onError(true);
    expect(ops.recorded.at(-1)).toMatchObject({ kind: "closed", reason: "message_too_big" });
  });
});
