import type { ServerResponse } from "node:http";
import { DOMAIN_EVENT_NAMES } from "@cml-telemetry/contracts";
import type { RouteHandler } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { Logger } from "pino";
import type { AppEnv } from "../../app/create-router.ts";
import { createBoundedEventQueue, type QueueLimits } from "../../live/bounded-event-queue.ts";
import { matchesFilter } from "../../live/feed-filter.ts";
import type { LiveHub, LiveSession } from "../../live/live-hub.ts";
import { reserveLiveSlot } from "../../live/reserve-live-slot.ts";
import type { EventFeed, FeedEvent, FeedFilter, StreamBounds } from "../../ports.ts";
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

/** Why a resume point is not held: its events expired, or it is beyond the stream (recreated, or another one). */
export type ResetReason = "events_expired" | "sequence_unknown";

/** Whether the events after `afterSeq` are all still in the stream; why not when they are not. */
export function resumeGap(afterSeq: number, bounds: StreamBounds): ResetReason | undefined {
  if (afterSeq > bounds.lastSeq) return "sequence_unknown";
  if (afterSeq < bounds.firstSeq - 1) return "events_expired";
  return undefined;
}

/** A write that has not completed within its timeout: the client's socket stopped taking data. */
class WriteTimeoutError extends Error {
  override readonly name = "WriteTimeoutError";
}

/** Resolves with the write, or rejects with {@link WriteTimeoutError} after `ms`. */
function writeWithin(write: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WriteTimeoutError(`no write completed within ${ms} ms`)), ms);
  });
  return Promise.race([write.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

/**
 * Handler of the SSE feed: optional replay after `Last-Event-ID` (or `event: reset` when the stream no longer
 * holds that point), then the shared live feed. Every write must complete within `writeTimeoutMs`.
 */
export function createEventsHandler(deps: {
  hub: LiveHub;
  feed: EventFeed;
  logger: Logger;
  heartbeatMs: number;
  writeTimeoutMs: number;
  queueLimits: QueueLimits;
}): RouteHandler<typeof eventsRoute, AppEnv> {
  return (c) => {
    const query = c.req.valid("query");
    const headers = c.req.valid("header");
    const filter: FeedFilter = { workerId: query.worker_id, types: parseEventTypes("type", query.type) };
    const resumeAfter = headers["last-event-id"] === undefined ? undefined : Number(headers["last-event-id"]);
    const slot = reserveLiveSlot(deps.hub, c.get("principal").name);
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    return streamSSE(c, async (stream) => {
      const queue = createBoundedEventQueue(deps.queueLimits);
      let session: LiveSession | undefined;
      session = slot.open("sse", {
        deliver: (event) => {
          if (!matchesFilter(event, filter)) return;
          if (!queue.push(event)) session?.close("slow_consumer");
        },
        onClose: () => queue.close(),
      });
      const current = session;
      stream.onAbort(() => current.close("client_closed"));
      // A stalled socket would keep the stream, its pending write and the connection alive: let them all go.
      const dropStalled = () => {
        current.close("write_timeout");
        stream.abort();
        outgoing?.destroy();
      };
      const write = (text: string) => writeWithin(stream.write(text), deps.writeTimeoutMs);
      const writeEvent = (message: { id: string; event: string; data: string }) =>
        writeWithin(stream.writeSSE(message), deps.writeTimeoutMs);
      let lastSent = resumeAfter ?? 0;
      const send = async (event: FeedEvent) => {
        await writeEvent({ id: String(event.seq), event: event.name, data: event.json });
        lastSent = event.seq;
      };
      let heartbeat: NodeJS.Timeout | undefined;
      try {
        await write(": connected\n\n");
        heartbeat = setInterval(() => {
          write(": heartbeat\n\n").catch((error: unknown) => {
            if (error instanceof WriteTimeoutError) dropStalled();
            else current.close("client_closed");
          });
        }, deps.heartbeatMs);
        if (resumeAfter !== undefined) {
          lastSent = await resume(resumeAfter, filter, { send, writeEvent, closed: () => current.closed });
        }
        for (;;) {
          const event = await queue.next();
          if (event === undefined) break;
          if (event.seq > lastSent) await send(event);
        }
      } catch (error) {
        deps.logger.debug({ err: (error as Error).message, connectionId: current.id }, "SSE write failed");
        if (error instanceof WriteTimeoutError) dropStalled();
        else current.close(stream.aborted ? "client_closed" : "error");
      } finally {
        clearInterval(heartbeat);
        current.close("client_closed");
      }
    });
  };

  /**
   * Replays the events after `afterSeq`, or sends `event: reset` (id = the stream's last sequence) when the stream
   * no longer holds them, so the client re-reads state instead of silently missing events. Returns the sequence
   * live events must be newer than.
   */
  async function resume(
    afterSeq: number,
    filter: FeedFilter,
    client: {
      send: (event: FeedEvent) => Promise<void>;
      writeEvent: (message: { id: string; event: string; data: string }) => Promise<void>;
      closed: () => boolean;
    },
  ): Promise<number> {
    const bounds = await deps.feed.bounds();
    const gap = resumeGap(afterSeq, bounds);
    if (gap !== undefined) {
      const data = {
        reason: gap,
        last_event_id: afterSeq,
        first_seq: bounds.firstSeq,
        last_seq: bounds.lastSeq,
      };
      await client.writeEvent({ id: String(bounds.lastSeq), event: "reset", data: JSON.stringify(data) });
      return bounds.lastSeq;
    }
    let last = afterSeq;
    // Live events arriving meanwhile wait in the queue; duplicates are skipped by sequence afterwards.
    for await (const event of deps.feed.replay(afterSeq, filter)) {
      if (client.closed()) break;
      await client.send(event);
      last = event.seq;
    }
    return last;
  }
}
