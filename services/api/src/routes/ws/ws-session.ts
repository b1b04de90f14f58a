import { matchesFilter } from "../../live/feed-filter.ts";
import type { CloseReason, SessionSlot } from "../../live/live-hub.ts";
import type { FeedEvent, FeedFilter } from "../../ports.ts";
import { parseWsClientMessage, type WsClientMessage } from "./ws-messages.ts";

/**
 * WebSocket close codes by reason (RFC 6455: 1008 policy violation, 1009 message too big; 4008: dropped as a slow
 * consumer or for a stalled socket).
 */
export const WS_CLOSE_CODES: Record<CloseReason, number> = {
  client_closed: 1000,
  server_shutdown: 1001,
  error: 1011,
  slow_consumer: 4008,
  write_timeout: 4008,
  ping_timeout: 1001,
  too_many_subscriptions: 1008,
  message_too_big: 1009,
};

/** What a session needs of a socket (the `ws` socket in production). */
export interface WsSocket {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Bytes queued by the socket and not yet sent. */
  readonly bufferedAmount: number;
  send(text: string): void;
  close(code: number, reason: string): void;
  /** Drops the connection without a closing handshake (the peer stopped answering). */
  terminate(): void;
}

/** One WebSocket client: its subscriptions, fed by the live hub. */
export interface WsSession {
  onMessage(text: string): void;
  onClose(): void;
  /** The socket failed; `tooBig` when the client sent a message over the size limit. */
  onError(tooBig: boolean): void;
  /** The client did not answer a ping in time. */
  onDead(): void;
}

/** Limits of one WebSocket client. */
export interface WsSessionLimits {
  /** Close once the socket buffers more than this many bytes (`slow_consumer`). */
  maxBufferedBytes: number;
  /** Most distinct subscriptions; one more closes the client (`too_many_subscriptions`). */
  maxSubscriptions: number;
}

const OPEN = 1;

/** One key per distinct filter, so a repeated subscribe adds nothing. */
function filterKey(workerId: string | undefined, types: readonly string[] | undefined): string {
  return `${workerId ?? "*"}|${types === undefined ? "*" : [...new Set(types)].sort().join(",")}`;
}

/**
 * Opens a live session for a socket in a reserved slot. Events matching any subscription are pushed as
 * `{"type":"event","seq","name","worker_id","event"}`. Every frame, event or reply, goes through the same rule: a
 * socket that buffers more than `maxBufferedBytes` is closed as `slow_consumer`, so a client that does not read
 * never holds unbounded memory. A reply names only what changed, never the whole subscription list.
 */
export function openWsSession(slot: SessionSlot, socket: WsSocket, limits: WsSessionLimits): WsSession {
  const subscriptions = new Map<string, FeedFilter>();
  let closeText: string | undefined;

  const send = (text: string) => {
    if (socket.readyState !== OPEN) return;
    if (socket.bufferedAmount > limits.maxBufferedBytes) {
      session.close("slow_consumer");
      return;
    }
    socket.send(text);
  };
  const reply = (message: Record<string, unknown>) => send(JSON.stringify(message));

  const session = slot.open("websocket", {
    deliver: (event: FeedEvent) => {
      for (const filter of subscriptions.values()) {
        if (!matchesFilter(event, filter)) continue;
        send(
          `{"type":"event","seq":${event.seq},"name":${JSON.stringify(event.name)},"worker_id":${JSON.stringify(event.workerId)},"event":${event.json}}`,
        );
        return;
      }
    },
    onClose: (reason) => {
      if (reason === "ping_timeout") socket.terminate();
      else if (socket.readyState === 0 || socket.readyState === OPEN)
        socket.close(WS_CLOSE_CODES[reason], closeText ?? reason);
    },
  });

  function subscribe(message: Extract<WsClientMessage, { action: "subscribe" }>): void {
    const key = filterKey(message.worker_id, message.types);
    if (!subscriptions.has(key)) {
      if (subscriptions.size >= limits.maxSubscriptions) {
        closeText = `subscription limit of ${limits.maxSubscriptions} exceeded`;
        session.close("too_many_subscriptions");
        return;
      }
      subscriptions.set(key, {
        workerId: message.worker_id,
        types: message.types === undefined ? undefined : new Set(message.types),
      });
    }
    reply({
      type: "subscribed",
      worker_id: message.worker_id ?? null,
      types: message.types ?? null,
      subscriptions: subscriptions.size,
    });
  }

  function unsubscribe(workerId: string | undefined): void {
    for (const [key, filter] of subscriptions) {
      if (workerId === undefined || filter.workerId === workerId) subscriptions.delete(key);
    }
    reply({ type: "unsubscribed", worker_id: workerId ?? null, subscriptions: subscriptions.size });
  }

  reply({ type: "welcome", connection_id: session.id });
  return {
    onMessage(text) {
      if (session.closed) return;
      const message = parseWsClientMessage(text);
      if (typeof message === "string") reply({ type: "error", message });
      else if (message.action === "subscribe") subscribe(message);
      else unsubscribe(message.worker_id);
    },
    onClose: () => session.close("client_closed"),
    onError: (tooBig) => session.close(tooBig ? "message_too_big" : "error"),
    onDead: () => session.close("ping_timeout"),
  };
}
