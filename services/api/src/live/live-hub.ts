import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { ConnectionOps, EventFeed, FeedEvent, Unsubscribe } from "../ports.ts";

/** Transport of a live client. */
export type LiveTransport = "sse" | "websocket";

/** Why a live connection ended (the `reason` of the closed ops event). */
export type CloseReason = "client_closed" | "slow_consumer" | "server_shutdown" | "error";

/** A connected live client as the hub sees it. */
export interface LiveSession {
  readonly id: string;
  readonly transport: LiveTransport;
  /** Closes the session once (later calls are ignored); emits the closed ops event. */
  close(reason: CloseReason): void;
  readonly closed: boolean;
}

/** What a transport gives the hub when a client connects. */
export interface SessionHandlers {
  /** Called for every live event (filtering is the transport's job); must not block. */
  deliver(event: FeedEvent): void;
  /** Called once when the session closes, with the reason. */
  onClose(reason: CloseReason): void;
}

/** All live clients of this process, fed from one shared feed subscription. */
export interface LiveHub {
  open(transport: LiveTransport, handlers: SessionHandlers): LiveSession;
  /** Number of open sessions. */
  size(): number;
  /** Closes every session with `reason` (e.g. `server_shutdown`) and detaches from the feed. */
  closeAll(reason: CloseReason): void;
}

/**
 * Fans the ONE shared live subscription of `feed` out to every SSE/WebSocket session, and reports connection
 * lifecycle ops events with durations and reasons.
 */
export function createLiveHub(options: {
  feed: EventFeed;
  ops: ConnectionOps;
  logger: Logger;
  now?: () => number;
}): LiveHub {
  const { feed, ops, logger } = options;
  const now = options.now ?? Date.now;
  const sessions = new Map<string, { handlers: SessionHandlers; session: LiveSession }>();
  let detach: Unsubscribe | undefined;

  function dispatch(event: FeedEvent): void {
    for (const entry of sessions.values()) entry.handlers.deliver(event);
  }

  return {
    open(transport, handlers) {
      const id = randomUUID();
      const openedAt = now();
      let closed = false;
      const session: LiveSession = {
        id,
        transport,
        get closed() {
          return closed;
        },
        close(reason) {
          if (closed) return;
          closed = true;
          sessions.delete(id);
          const durationSeconds = (now() - openedAt) / 1000;
          ops.closed(id, transport, durationSeconds, reason);
          const log = reason === "slow_consumer" || reason === "error" ? logger.warn : logger.info;
          log.call(
            logger,
            { connectionId: id, transport, reason, durationSeconds },
            "live client disconnected",
          );
          handlers.onClose(reason);
        },
      };
      sessions.set(id, { handlers, session });
      detach ??= feed.subscribe(dispatch);
      ops.established(id, transport);
      logger.info({ connectionId: id, transport }, "live client connected");
      return session;
    },
    size: () => sessions.size,
    closeAll(reason) {
      for (const { session } of [...sessions.values()]) session.close(reason);
      detach?.();
      detach = undefined;
    },
  };
}
