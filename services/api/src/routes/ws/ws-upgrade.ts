import { type IncomingMessage, type Server, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { Context } from "hono";
import { type WebSocket, WebSocketServer } from "ws";

/** What happens to an upgrade the route accepted. */
export interface AcceptedUpgrade {
  /** The handshake completed: the socket is open. */
  onSocket(ws: WebSocket): void;
  /** The handshake never completed (the client left, or its headers were not a valid upgrade). */
  onFailed(): void;
}

/** The request object of an upgrade, only while @hono/node-server's `env.incoming` is the Node request. */
type UpgradeEnv = { incoming?: IncomingMessage };

/**
 * WebSocket upgrades run through the Hono app like any request (auth, origin, caps, problems): the route calls
 * {@link WsUpgrades.accept} to take the connection; any other answer is written back on the socket as a complete
 * HTTP response, problem body included. Incoming messages are limited to `maxPayloadBytes` (`ws` closes with 1009).
 */
export interface WsUpgrades {
  /**
   * Takes the upgrade of the request in `c`; the route then answers with the returned response.
   * @returns undefined when `c` is not an upgrade on the Node server (e.g. a plain GET, or `app.request` in tests).
   */
  accept(c: Context, accepted: AcceptedUpgrade): Response | undefined;
  /** Handles `upgrade` events of `server` with `fetch` (the app). */
  inject(server: Server, fetch: (request: Request, env: UpgradeEnv) => Response | Promise<Response>): void;
  /** Closes every socket still open. */
  close(): void;
}

/** Marks an accepted upgrade inside the app (it becomes a 101); never sent to the client. */
export const WS_ACCEPTED_STATUS = 299;

function requestOf(request: IncomingMessage): Request {
  const url = new URL(request.url ?? "/", `http://${request.headers.host ?? "localhost"}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return new Request(url, { headers });
}

const NOT_FORWARDED = new Set(["content-length", "connection", "transfer-encoding", "keep-alive"]);

async function writeResponse(socket: Duplex, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}`];
  response.headers.forEach((value, name) => {
    if (!NOT_FORWARDED.has(name)) lines.push(`${name}: ${value}`);
  });
  lines.push(`content-length: ${body.length}`, "connection: close", "", "");
  socket.end(Buffer.concat([Buffer.from(lines.join("\r\n"), "latin1"), body]));
}

/** Creates the upgrade handling of one app. */
export function createWsUpgrades(options: { maxPayloadBytes: number }): WsUpgrades {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  const pending = new WeakMap<IncomingMessage, AcceptedUpgrade>();

  return {
    accept(c, accepted) {
      const incoming = (c.env as UpgradeEnv | undefined)?.incoming;
      if (incoming === undefined || c.req.header("upgrade")?.toLowerCase() !== "websocket") return undefined;
      pending.set(incoming, accepted);
      return new Response(null, { status: WS_ACCEPTED_STATUS });
    },
    inject(server, fetch) {
      server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        socket.on("error", () => socket.destroy());
        void (async () => {
          const response = await fetch(requestOf(request), { incoming: request });
          const accepted = pending.get(request);
          pending.delete(request);
          if (accepted === undefined || response.status !== WS_ACCEPTED_STATUS) {
            accepted?.onFailed();
            await writeResponse(socket, response);
            return;
          }
          let upgraded = false;
          socket.once("close", () => {
            if (!upgraded) accepted.onFailed();
          });
          wss.handleUpgrade(request, socket, head, (ws) => {
            upgraded = true;
            accepted.onSocket(ws);
          });
        })().catch(() => socket.destroy());
      });
    },
    close() {
      for (const client of wss.clients) client.terminate();
    },
  };
}
