import { describe, expect, it } from "vitest";
import type { FeedEvent } from "../ports.ts";
import { createBoundedEventQueue } from "./bounded-event-queue.ts";

function event(seq: number, size = 10): FeedEvent {
  return {
    seq,
    subject: "s",
    workerId: "w",
    name: "n",
    event: {} as FeedEvent["event"],
    json: "x".repeat(size),
  };
}

describe("bounded event queue", () => {
  it("refuses events beyond the count bound and keeps order", async () => {
    const queue = createBoundedEventQueue({ maxEvents: 2, maxBytes: 1_000 });
    expect(queue.push(event(1))).toBe(true);
    expect(queue.push(event(2))).toBe(true);
    expect(queue.push(event(3))).toBe(false);
    expect((await queue.next())?.seq).toBe(1);
    expect(queue.push(event(4))).toBe(true);
    expect((await queue.next())?.seq).toBe(2);
    expect((await queue.next())?.seq).toBe(4);
  });

  it("refuses events beyond the byte bound", () => {
    const queue = createBoundedEventQueue({ maxEvents: 100, maxBytes: 25 });
    expect(queue.push(event(1, 20))).toBe(true);
    expect(queue.push(event(2, 10))).toBe(false);
  });

  it("hands an event straight to a waiting reader and ends readers on close", async () => {
    const queue = createBoundedEventQueue({ maxEvents: 1, maxBytes: 100 });
    const waiting = queue.next();
    queue.push(event(7));
    expect((await waiting)?.seq).toBe(7);
    const pending = queue.next();
    queue.close();
    expect(await pending).toBeUndefined();
    expect(queue.push(event(8))).toBe(false);
  });
});
