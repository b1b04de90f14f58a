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
  };
  return socket satisfies WsSocket;
}

function setup() {
  const feed = createFakeEventFeed();
  const ops = createFakeConnectionOps();
  const hub = createLiveHub({ feed, ops, logger: createLogger({ service: "api", level: "silent" }) });
  const socket = fakeSocket();
  const session = openWsSession(hub, socket, 1_000);
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
});
