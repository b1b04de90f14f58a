import type { OpenAPIHono } from "@hono/zod-openapi";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import type { WebSocket } from "ws";
import { type AppEnv, createRouter } from "../../app/create-router.ts";
import { problemContent } from "../../app/problem-schema.ts";
import type { LiveHub } from "../../live/live-hub.ts";
import { openWsSession, type WsSession, type WsSocket } from "./ws-session.ts";

function socketOf(ws: WSContext<WebSocket>): WsSocket {
  return {
    get readyState() {
      return ws.readyState;
    },
    get bufferedAmount() {
      return ws.raw?.bufferedAmount ?? 0;
    },
    send: (text) => ws.send(text),
    close: (code, reason) => ws.close(code, reason),
  };
}

/**
 * `GET /api/v1/ws`: a WebSocket feed of the same domain events. Clients send
 * `{"action":"subscribe","worker_id":…,"types":[…]}` / `{"action":"unsubscribe","worker_id":…}` and receive
 * `{"type":"event","seq":…,"name":…,"worker_id":…,"event":{CloudEvent}}`. A client whose socket buffers more than
 * `maxBufferedBytes` is closed (`slow_consumer`, code 4008).
 */
export function createWsRouter(deps: {
  hub: LiveHub;
  upgradeWebSocket: UpgradeWebSocket<WebSocket>;
  maxBufferedBytes: number;
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
    },
  });
  router.get(
    "/ws",
    deps.upgradeWebSocket(() => {
      let session: WsSession | undefined;
      return {
        onOpen(_event, ws) {
          session = openWsSession(deps.hub, socketOf(ws), deps.maxBufferedBytes);
        },
        onMessage(event) {
          session?.onMessage(typeof event.data === "string" ? event.data : String(event.data));
        },
        onClose() {
          session?.onClose();
        },
        onError() {
          session?.onError();
        },
      };
    }),
  );
  return router;
}
