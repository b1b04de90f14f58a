import type { OpenAPIHono } from "@hono/zod-openapi";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import type { WebSocket } from "ws";
import { type AppEnv, createRouter } from "../../app/create-router.ts";
import { problemContent } from "../../app/problem-schema.ts";
import { matchesFilter } from "../../live/feed-filter.ts";
import type { CloseReason, LiveHub, LiveSession } from "../../live/live-hub.ts";
import type { FeedEvent, FeedFilter } from "../../ports.ts";
import { parseWsClientMessage } from "./ws-messages.ts";

const CLOSE_CODES: Record<CloseReason, number> = {
  client_closed: 1000,
  server_shutdown: 1001,
  error: 1011,
  slow_consumer: 4008,
};

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
      const subscriptions: FeedFilter[] = [];
      let session: LiveSession | undefined;
      const reply = (ws: WSContext<WebSocket>, message: Record<string, unknown>) => {
        if (ws.readyState === 1) ws.send(JSON.stringify(message));
      };
      return {
        onOpen(_event, ws) {
          session = deps.hub.open("websocket", {
            deliver: (event: FeedEvent) => {
              if (!subscriptions.some((filter) => matchesFilter(event, filter))) return;
              const raw = ws.raw;
              if (raw && raw.bufferedAmount > deps.maxBufferedBytes) {
                session?.close("slow_consumer");
                return;
              }
              if (ws.readyState !== 1) return;
              ws.send(
                `{"type":"event","seq":${event.seq},"name":${JSON.stringify(event.name)},"worker_id":${JSON.stringify(event.workerId)},"event":${event.json}}`,
              );
            },
            onClose: (reason) => {
              if (ws.readyState === 0 || ws.readyState === 1) ws.close(CLOSE_CODES[reason], reason);
            },
          });
          reply(ws, { type: "welcome", connection_id: session.id });
        },
        onMessage(event, ws) {
          const message = parseWsClientMessage(
            typeof event.data === "string" ? event.data : String(event.data),
          );
          if (typeof message === "string") {
            reply(ws, { type: "error", message });
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
          reply(ws, {
            type: message.action === "subscribe" ? "subscribed" : "unsubscribed",
            subscriptions: subscriptions.map((filter) => ({
              worker_id: filter.workerId ?? null,
              types: filter.types === undefined ? null : [...filter.types],
            })),
          });
        },
        onClose() {
          session?.close("client_closed");
        },
        onError() {
          session?.close("error");
        },
      };
    }),
  );
  return router;
}
