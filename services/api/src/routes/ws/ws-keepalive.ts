/** A socket the keep-alive pings. */
export interface PingableSocket {
  ping(): void;
  on(event: "pong", listener: () => void): unknown;
}

/** Pings live WebSocket clients and reports those that did not answer the previous ping. */
export interface WsKeepAlive {
  /** Starts pinging `socket`; `onDead` runs once when it misses an answer. Returns a function that stops. */
  track(socket: PingableSocket, onDead: () => void): () => void;
  /** Stops every ping. */
  stop(): void;
}

/**
 * One timer for every client: each `intervalMs` a client that answered since the last ping is pinged again, one
 * that did not is reported dead (its TCP connection may be gone without a FIN, e.g. a sleeping laptop).
 */
export function createWsKeepAlive(intervalMs: number): WsKeepAlive {
  const tracked = new Map<PingableSocket, { alive: boolean; onDead: () => void }>();
  let timer: NodeJS.Timeout | undefined;

  function sweep(): void {
    for (const [socket, state] of [...tracked]) {
      if (!state.alive) {
        tracked.delete(socket);
        state.onDead();
        continue;
      }
      state.alive = false;
      socket.ping();
    }
    if (tracked.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  }

  return {
    track(socket, onDead) {
      const state = { alive: true, onDead };
      tracked.set(socket, state);
      socket.on("pong", () => {
        state.alive = true;
      });
      if (timer === undefined) {
        timer = setInterval(sweep, intervalMs);
        timer.unref();
      }
      return () => {
        tracked.delete(socket);
      };
    },
    stop() {
      tracked.clear();
      clearInterval(timer);
      timer = undefined;
    },
  };
}
