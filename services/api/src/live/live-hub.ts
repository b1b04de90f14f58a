import { randomUUID } from "node:crypto";
import type { ConnectionCloseReason } from "@cml-telemetry/contracts";
import type { Logger } from "pino";
import type { ConnectionOps, EventFeed, FeedEvent, Unsubscribe } from "../ports.ts";

/** Transport of a live client. */
export type LiveTransport = "sse" | "websocket";

/** Why a live connection ended (the `reason` of the closed ops event). */
export type CloseReason = ConnectionCloseReason;

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

/** A place held for one live client of a principal; opened once the transport is ready, or released. */
export interface SessionSlot {
  /** Opens the session in this slot (once). */
  open(transport: LiveTransport, handlers: SessionHandlers): LiveSession;
  /** Gives the slot back when the client never got connected (a failed upgrade); no-op once opened. */
  release(): void;
}

/** Bounds of the live clients of one API process. */
export interface LiveLimits {
  /** Most live clients in total (`API_LIVE_MAX_CONNECTIONS`). */
  maxConnections: number;
  /** Most live clients of one principal (`API_LIVE_MAX_CONNECTIONS_PER_TOKEN`). */
  maxConnectionsPerPrincipal: number;
}

/** A live client was refused: the process (`total`) or its principal (`principal`) has as many as allowed. */
export class LiveCapacityError extends Error {
  override readonly name = "LiveCapacityError";
  readonly code = "LIVE_CAPACITY";
  readonly scope: "total" | "principal";
  readonly limit: number;

  constructor(scope: "total" | "principal", limit: number) {
    super(
      scope === "total"
        ? `this API instance serves its maximum of ${limit} live clients`
        : `this token already has its maximum of ${limit} live clients`,
    );
    this.scope = scope;
    this.limit = limit;
  }
}

/** All live clients of this process, fed from one shared feed subscription. */
export interface LiveHub {
  /**
   * Holds a place for a client of `principal`.
   * @throws LiveCapacityError past either cap.
   */
  reserve(principal: string): SessionSlot;
  /** Number of open sessions. */
  size(): number;
  /** Closes every session with `reason` (e.g. `server_shutdown`) and detaches from the feed. */
  closeAll(reason: CloseReason): void;
}

const LOUD_REASONS: ReadonlySet<CloseReason> = new Set([
  "slow_consumer",
  "write_timeout",
  "ping_timeout",
  "too_many_subscriptions",
  "message_too_big",
  "error",
]);

/**
 * Fans the ONE shared live subscription of `feed` out to every SSE/WebSocket session, keeps the number of clients
 * within `limits` (reserved places count), and reports connection lifecycle ops events with durations and reasons.
 */
export function createLiveHub(options: {
  feed: EventFeed;
  ops: ConnectionOps;
  logger: Logger;
  limits: LiveLimits;
  now?: () => number;
}): LiveHub {
  const { feed, ops, logger, limits } = options;
  const now = options.now ?? Date.now;
  const sessions = new Map<string, { handlers: SessionHandlers; session: LiveSession }>();
  const perPrincipal = new Map<string, number>();
  let held = 0;
  let detach: Unsubscribe | undefined;

  function dispatch(event: FeedEvent): void {
    for (const entry of sessions.values()) entry.handlers.deliver(event);
  }

  function giveBack(principal: string): void {
    held -= 1;
    const count = (perPrincipal.get(principal) ?? 1) - 1;
    if (count <= 0) perPrincipal.delete(principal);
    else perPrincipal.set(principal, count);
  }

  function openSession(principal: string, transport: LiveTransport, handlers: SessionHandlers): LiveSession {
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
        giveBack(principal);
        const durationSeconds = (now() - openedAt) / 1000;
        ops.closed(id, transport, durationSeconds, reason);
        const log = LOUD_REASONS.has(reason) ? logger.warn : logger.info;
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
  }

  return {
    reserve(principal) {
      if (held >= limits.maxConnections) throw new LiveCapacityError("total", limits.maxConnections);
      const count = perPrincipal.get(principal) ?? 0;
      if (count >= limits.maxConnectionsPerPrincipal) {
        throw new LiveCapacityError("principal", limits.maxConnectionsPerPrincipal);
      }
      held += 1;
      perPrincipal.set(principal, count + 1);
      let state: "held" | "open" | "released" = "held";
      return {
        open(transport, handlers) {
          if (state !== "held") throw new Error(`session slot already ${state}`);
          state = "open";
          return openSession(principal, transport, handlers);
        },
        release() {
          if (state !== "held") return;
          state = "released";
          giveBack(principal);
        },
      };
    },
    size: () => sessions.size,
    closeAll(reason) {
      for (const { session } of [...sessions.values()]) session.close(reason);
      detach?.();
      detach = undefined;
    },
  };
}
