import { type DomainEventName, domainEvents } from "@cml-telemetry/contracts";
import { describe, expect, it } from "vitest";
import type { EventFeed, FeedEvent } from "../ports.ts";

/** A feed under test plus a way to store a domain event in it (returns its sequence). */
export interface EventFeedFixture {
  feed: EventFeed;
  append(name: DomainEventName, data: Record<string, unknown>, correlationId?: string): Promise<number>;
  /** Removes the stored events before sequence `seq` (the stream's max age passing). */
  dropBefore(seq: number): Promise<void>;
}

async function collect(iterable: AsyncIterable<FeedEvent>): Promise<FeedEvent[]> {
  const out: FeedEvent[] = [];
  for await (const event of iterable) out.push(event);
  return out;
}

function until(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (predicate()) resolve();
      else if (Date.now() > deadline) reject(new Error("condition not met in time"));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

/**
 * The behaviour every {@link EventFeed} must have; run against the in-memory fake and the JetStream feed.
 * `fixture()` is called once per test; worker ids are unique per test so a shared stream is fine.
 */
export function describeEventFeedContract(name: string, fixture: () => Promise<EventFeedFixture>): void {
  let counter = 0;
  const newWorkerId = () => {
    counter += 1;
    return `0b9c0d1e-2f3a-5b4c-8d6e-${(Date.now() % 1e6).toString().padStart(6, "0")}${counter.toString().padStart(6, "0")}`;
  };
  const statusChanged = (workerId: string, version: number) => ({
    ...domainEvents.status_changed.example,
    workerId,
    version,
  });

  describe(`EventFeed contract: ${name}`, () => {
    it("delivers events stored after subscribing to live listeners, in order, with sequences", async () => {
      const { feed, append } = await fixture();
      const workerId = newWorkerId();
      const seen: FeedEvent[] = [];
      const stop = feed.subscribe((event) => {
        if (event.workerId === workerId) seen.push(event);
      });
      const first = await append("status_changed", statusChanged(workerId, 1));
      const second = await append("status_changed", statusChanged(workerId, 2));
      await until(() => seen.length === 2);
      stop();
      expect(seen.map((event) => event.seq)).toEqual([first, second]);
      expect(seen[0]).toMatchObject({ workerId, name: "status_changed" });
      expect(JSON.parse(seen[0]?.json ?? "{}")).toMatchObject({ type: domainEvents.status_changed.type });
    });

    it("replays stored events after a sequence, filtered by worker and type", async () => {
      const { feed, append } = await fixture();
      const workerId = newWorkerId();
      const before = await append("status_changed", statusChanged(workerId, 1));
      const wanted = await append("status_changed", statusChanged(workerId, 2));
      await append("status_changed", statusChanged(newWorkerId(), 1));
      await append("terminated", { ...domainEvents.terminated.example, workerId, version: 3 });
      const replayed = await collect(feed.replay(before, { workerId, types: new Set(["status_changed"]) }));
      expect(replayed.map((event) => event.seq)).toEqual([wanted]);
      expect(await collect(feed.replay(Number.MAX_SAFE_INTEGER - 1, {}))).toEqual([]);
    });

    it("watches one worker's events with their correlation ids", async () => {
      const { feed, append } = await fixture();
      const workerId = newWorkerId();
      const seen: string[] = [];
      const stop = await feed.watchWorker(workerId, (event) => {
        seen.push(String((event as Record<string, unknown>).correlationid));
      });
      await append("status_changed", statusChanged(newWorkerId(), 1), "other-worker");
      await append("status_changed", statusChanged(workerId, 1), "mine");
      await until(() => seen.length === 1);
      stop();
      expect(seen).toEqual(["mine"]);
    });

    it("pages a worker's events newest first", async () => {
      const { feed, append } = await fixture();
      const workerId = newWorkerId();
      const sequences: number[] = [];
      for (let version = 1; version <= 5; version++) {
        sequences.push(await append("status_changed", statusChanged(workerId, version)));
        await append("status_changed", statusChanged(newWorkerId(), version));
      }
      const first = await feed.workerEvents(workerId, { limit: 2 });
      expect(first.items.map((event) => event.seq)).toEqual([sequences[4], sequences[3]]);
      const second = await feed.workerEvents(workerId, { limit: 10, beforeSeq: first.nextBeforeSeq ?? 0 });
      expect(second.items.map((event) => event.seq)).toEqual([sequences[2], sequences[1], sequences[0]]);
      expect(second.nextBeforeSeq).toBeNull();
      expect((await feed.workerEvents(newWorkerId(), { limit: 5 })).items).toEqual([]);
    });

    it("reports the sequences it holds: the last one stored, and the first one still held", async () => {
      const { feed, append, dropBefore } = await fixture();
      const workerId = newWorkerId();
      const first = await append("status_changed", statusChanged(workerId, 1));
      const second = await append("status_changed", statusChanged(workerId, 2));
      const held = await feed.bounds();
      expect(held.lastSeq).toBe(second);
      expect(held.firstSeq).toBeLessThanOrEqual(first);
      await dropBefore(second);
      expect(await feed.bounds()).toEqual({ firstSeq: second, lastSeq: second });
      const replayed = await collect(feed.replay(first - 1, { workerId }));
      expect(replayed.map((event) => event.seq)).toEqual([second]);
    });
  });
}
