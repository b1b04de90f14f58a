import { DOMAIN_EVENT_NAMES } from "@cml-telemetry/contracts";
import type { RouteHandler } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { Logger } from "pino";
import type { AppEnv } from "../../app/create-router.ts";
import { createBoundedEventQueue, type QueueLimits } from "../../live/bounded-event-queue.ts";
import { matchesFilter } from "../../live/feed-filter.ts";
import type { LiveHub, LiveSession } from "../../live/live-hub.ts";
import type { EventFeed, FeedEvent, FeedFilter } from "../../ports.ts";
import { ProblemError } from "../../problems.ts";
import type { eventsRoute } from "./events.routes.ts";

/** Parses a comma list of domain event names. */
export function parseEventTypes(param: string, value: string | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const names = value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  for (const name of names) {
    if (!(DOMAIN_EVENT_NAMES as readonly string[]).includes(name)) {
      throw new ProblemError("validation-error", `${param}: unknown event name ${JSON.stringify(name)}`, {
        param,
      });
    }
  }
  return new Set(names);
}

/** Handler of the SSE feed: optional replay after `Last-Event-ID`, then the shared live feed. */
export function createEventsHandler(deps: {
  hub: LiveHub;
  feed: EventFeed;
  logger: Logger;
  heartbeatMs: number;
  queueLimits: QueueLimits;
}): RouteHandler<typeof eventsRoute, AppEnv> {
  return (c) => {
    const query = c.req.valid("query");
    const headers = c.req.valid("header");
    const filter: FeedFilter = { workerId: query.worker_id, types: parseEventTypes("type", query.type) };
    const resumeAfter = headers["last-event-id"] === undefined ? undefined : Number(headers["last-event-id"]);
    return streamSSE(c, async (stream) => {
      const queue = createBoundedEventQueue(deps.queueLimits);
      let session: LiveSession | undefined;
      session = deps.hub.open("sse", {
        deliver: (event) => {
          if (!matchesFilter(event, filter)) return;
          if (!queue.push(event)) session?.close("slow_consumer");
        },
        onClose: () => queue.close(),
      });
      const current = session;
      stream.onAbort(() => current.close("client_closed"));
      const heartbeat = setInterval(() => {
        stream.write(": heartbeat\n\n").catch(() => current.close("client_closed"));
      }, deps.heartbeatMs);
      let lastSent = resumeAfter ?? 0;
      const send = async (event: FeedEvent) => {
        await stream.writeSSE({ id: String(event.seq), event: event.name, data: event.json });
        lastSent = event.seq;
      };
      try {
        await stream.write(": connected\n\n");
        if (resumeAfter !== undefined) {
          // Live events arriving meanwhile wait in the queue; duplicates are skipped by sequence below.
          for await (const event of deps.feed.replay(resumeAfter, filter)) {
            if (current.closed) break;
            await send(event);
          }
        }
        for (;;) {
          const event = await queue.next();
          if (event === undefined) break;
          if (event.seq > lastSent) await send(event);
        }
      } catch (error) {
        deps.logger.debug({ err: (error as Error).message, connectionId: current.id }, "SSE write failed");
        current.close(stream.aborted ? "client_closed" : "error");
      } finally {
        clearInterval(heartbeat);
        current.close("client_closed");
      }
    });
  };
}
