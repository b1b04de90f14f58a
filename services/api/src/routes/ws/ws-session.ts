import { matchesFilter } from "../../live/feed-filter.ts";
import type { CloseReason, LiveHub } from "../../live/live-hub.ts";
import type { FeedEvent, FeedFilter } from "../../ports.ts";
import { parseWsClientMessage } from "./ws-messages.ts";

/** WebSocket close codes by reason (4008: dropped as a slow consumer). */
export const WS_CLOSE_CODES: Record<CloseReason, number> = {
  client_closed: 1000,
  server_shutdown: 1001,
  error: 1011,
  slow_consumer: 4008,
};

/** What a session needs of a socket (the `ws` socket behind Hono's context in production). */
export interface WsSocket {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Bytes queued by the socket and not yet sent. */
  readonly bufferedAmount: number;
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** One WebSocket client: its subscriptions, fed by the live hub. */
export interface WsSession {
  onMessage(text: string): void;
  onClose(): void;
  onError(): void;
}

const OPEN = 1;

/**
 * Opens a live session for a socket. Events matching any subscription are pushed as
 * `{"type":"event","seq","name","worker_id","event"}`; a socket that buffers more than `maxBufferedBytes` is closed
 * as `slow_consumer`, so a stalled client never holds unbounded memory.
 */
export function openWsSession(hub: LiveHub, socket: WsSocket, maxBufferedBytes: number): WsSession {
  const subscriptions: FeedFilter[] = [];
  const reply = (message: Record<string, unknown>) => {
    if (socket.readyState === OPEN) socket.send(JSON.stringify(message));
  };
  const session = hub.open("websocket", {
    deliver: (event: FeedEvent) => {
      if (!subscriptions.some((filter) => matchesFilter(event, filter))) return;
      if (socket.bufferedAmount > maxBufferedBytes) {
        session.close("slow_consumer");
        return;
      }
      if (socket.readyState !== OPEN) return;
      socket.send(
        `{"type":"event","seq":${event.seq},"name":${JSON.stringify(event.name)},"worker_id":${JSON.stringify(event.workerId)},"event":${event.json}}`,
      );
    },
    onClose: (reason) => {
      if (socket.readyState === 0 || socket.readyState === OPEN) socket.close(WS_CLOSE_CODES[reason], reason);
    },
  });
  reply({ type: "welcome", connection_id: session.id });
  return {
    onMessage(text) {
      const message = parseWsClientMessage(text);
      if (typeof message === "string") {
        reply({ type: "error", message });
        return;
      }
      if (message.action === "subscribe") {
        subscriptions.push({
          workerId: message.worker_id,
          types: message.types === undefined ? undefined : new Set(message.types),
        });
      } else {
        const keep = subscriptions.filter(
          (filter) => message.worker_id !== undefined && filter.workerId !== message.worker_id,
        );
        subscriptions.splice(0, subscriptions.length, ...keep);
      }
      reply({
        type: message.action === "subscribe" ? "subscribed" : "unsubscribed",
        subscriptions: subscriptions.map((filter) => ({
          worker_id: filter.workerId ?? null,
          types: filter.types === undefined ? null : [...filter.types],
        })),
      });
    },
    onClose: () => session.close("client_closed"),
    onError: () => session.close("error"),
  };
}
