import { createLogger } from "@cml-telemetry/observability";
import { describe, expect, it } from "vitest";
import { createFakeConnectionOps } from "../testing/fake-connection-ops.ts";
import { createFakeEventFeed } from "../testing/fake-event-feed.ts";
import { createLiveHub, LiveCapacityError } from "./live-hub.ts";

function hub(maxConnections: number, maxConnectionsPerPrincipal: number) {
  return createLiveHub({
    feed: createFakeEventFeed(),
    ops: createFakeConnectionOps(),
    logger: createLogger({ service: "api", level: "silent" }),
    limits: { maxConnections, maxConnectionsPerPrincipal },
  });
}

const handlers = { deliver: () => {}, onClose: () => {} };

function refusal(action: () => unknown): LiveCapacityError | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof LiveCapacityError) return error;
    throw error;
  }
  return undefined;
}

describe("live hub caps", () => {
  it("counts reserved places against the caps, per principal and in total, and frees them on close or release", () => {
    const live = hub(3, 2);
    const first = live.reserve("alice").open("sse", handlers);
    const pending = live.reserve("alice");
    expect(refusal(() => live.reserve("alice"))).toMatchObject({ scope: "principal", limit: 2 });
    live.reserve("bob");
    expect(refusal(() => live.reserve("carol"))).toMatchObject({ scope: "total", limit: 3 });
    pending.release();
    pending.release();
    live.reserve("carol");
    first.close("client_closed");
    first.close("client_closed");
    expect(refusal(() => live.reserve("alice"))).toBeUndefined();
    expect(refusal(() => live.reserve("dave"))).toMatchObject({ scope: "total" });
  });

  it("opens a slot once", () => {
    const slot = hub(2, 2).reserve("alice");
    slot.open("websocket", handlers);
    expect(() => slot.open("websocket", handlers)).toThrow(/already open/);
    slot.release();
  });
});
