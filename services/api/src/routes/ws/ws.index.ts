import type { OpenAPIHono } from "@hono/zod-openapi";
import type { WebSocket } from "ws";
import { type AppEnv, createRouter } from "../../app/create-router.ts";
import { problemContent } from "../../app/problem-schema.ts";
import type { LiveHub } from "../../live/live-hub.ts";
import { reserveLiveSlot } from "../../live/reserve-live-slot.ts";
import { ProblemError } from "../../problems.ts";
import type { WsKeepAlive } from "./ws-keepalive.ts";
import { openWsSession, type WsSessionLimits, type WsSocket } from "./ws-session.ts";
import type { WsUpgrades } from "./ws-upgrade.ts";

function socketOf(ws: WebSocket): WsSocket {
  return {
    get readyState() {
      return ws.readyState;
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    send: (text) => ws.send(text),
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
  };
}

/** `ws` reports a message over `maxPayload` with this error code (and closes with 1009). */
const MESSAGE_TOO_BIG = "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH";

/**
 * `GET /api/v1/ws`: a WebSocket feed of the same domain events. Clients send
 * `{"action":"subscribe","worker_id":…,"types":[…]}` / `{"action":"unsubscribe","worker_id":…}` and receive
 * `{"type":"event","seq":…,"name":…,"worker_id":…,"event":{CloudEvent}}`. The upgrade passes auth, the origin
 * check and the live connection caps like any request, and is refused with a problem otherwise.
 */
export function createWsRouter(deps: {
  hub: LiveHub;
  upgrades: WsUpgrades;
  keepAlive: WsKeepAlive;
  limits: WsSessionLimits;
}): OpenAPIHono<AppEnv> {
  const router = createRouter();
  router.openAPIRegistry.registerPath({
    method: "get",
    path: "/ws",
    tags: ["live"],
    security: [{ bearerAuth: [] }],
    summary: "WebSocket feed of domain events (subscribe/unsubscribe messages)",
    responses: {
      101: { description: "Switching protocols" },
      401: problemContent("No or unknown bearer token"),
      403: problemContent("A browser page from a foreign origin (`forbidden`)"),
      426: problemContent("Not a WebSocket upgrade (`upgrade-required`)"),
      429: problemContent("This token has as many live clients as allowed (`rate-limited`)"),
      503: problemContent("This API instance has as many live clients as allowed (`service-unavailable`)"),
    },
  });
  router.get("/ws", (c) => {
    const slot = reserveLiveSlot(deps.hub, c.get("principal").name);
    const response = deps.upgrades.accept(c, {
      onSocket(ws) {
        const session = openWsSession(slot, socketOf(ws), deps.limits);
        const untrack = deps.keepAlive.track(ws, () => session.onDead());
        ws.on("message", (data: Buffer, isBinary: boolean) => {
          session.onMessage(isBinary ? "" : data.toString("utf8"));
        });
        ws.on("close", () => {
          untrack();
          session.onClose();
        });
        ws.on("error", (error: Error & { code?: string }) => session.onError(error.code === MESSAGE_TOO_BIG));
      },
      onFailed: () => slot.release(),
    });
    if (response === undefined) {
      slot.release();
      throw new ProblemError("upgrade-required", "GET /api/v1/ws needs a WebSocket upgrade", {
        headers: { Upgrade: "websocket" },
      });
    }
    return response;
  });
  return router;
}
