import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Logger } from "pino";
import { type AppEnv, createRouter } from "../../app/create-router.ts";
import type { QueueLimits } from "../../live/bounded-event-queue.ts";
import type { LiveHub } from "../../live/live-hub.ts";
import type { EventFeed } from "../../ports.ts";
import { createEventsHandler } from "./events.handlers.ts";
import { eventsRoute } from "./events.routes.ts";

/** The SSE feed, mounted at `/api/v1`. */
export function createEventsRouter(deps: {
  hub: LiveHub;
  feed: EventFeed;
  logger: Logger;
  heartbeatMs: number;
  writeTimeoutMs: number;
  queueLimits: QueueLimits;
}): OpenAPIHono<AppEnv> {
  return createRouter().openapi(eventsRoute, createEventsHandler(deps));
}
