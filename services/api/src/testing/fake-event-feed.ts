import {
  type CmlCloudEvent,
  createEvent,
  type DomainEventName,
  domainEvents,
  type MessageDefinition,
  subjects,
} from "@cml-telemetry/contracts";
import { matchesFilter } from "../live/feed-filter.ts";
import type { EventFeed, FeedEvent } from "../ports.ts";

/** In-memory `CML_WORKER_EVENTS`: appended events get increasing sequences and reach live and worker watchers. */
export interface FakeEventFeed extends EventFeed {
  /** Appends a domain event (validated against its contract schema) and delivers it. */
  append(
    name: DomainEventName,
    data: Record<string, unknown>,
    options?: { correlationId?: string },
  ): FeedEvent;
  readonly stored: readonly FeedEvent[];
  /** Number of live listeners attached. */
  listenerCount(): number;
  /** Forgets the events before sequence `seq`, as the stream's max age does. */
  dropBefore(seq: number): void;
  /** Forgets every event and starts the sequences over, as deleting and recreating the stream does. */
  recreate(): void;
}

/** Creates a {@link FakeEventFeed}. */
export function createFakeEventFeed(): FakeEventFeed {
  const stored: FeedEvent[] = [];
  let lastSeq = 0;
  const listeners = new Set<(event: FeedEvent) => void>();
  const watchers = new Map<string, Set<(event: CmlCloudEvent<unknown>) => void>>();
  return {
    stored,
    listenerCount: () => listeners.size,
    append(name, data, options = {}) {
      const workerId = String(data.workerId);
      const event = createEvent(domainEvents[name] as MessageDefinition, {
        source: "worker-aggregate",
        subject: workerId,
        data,
        correlationId: options.correlationId,
      });
      lastSeq += 1;
      const feedEvent: FeedEvent = {
        seq: lastSeq,
        subject: subjects.workerEvent(workerId, name),
        workerId,
        name,
        event,
        json: JSON.stringify(event),
      };
      stored.push(feedEvent);
      for (const watcher of watchers.get(workerId) ?? []) watcher(event);
      for (const listener of listeners) listener(feedEvent);
      return feedEvent;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async *replay(afterSeq, filter) {
      const last = lastSeq;
      for (const event of stored.filter((candidate) => candidate.seq > afterSeq && candidate.seq <= last)) {
        if (matchesFilter(event, filter)) yield event;
      }
    },
    async watchWorker(workerId, listener) {
      const set = watchers.get(workerId) ?? new Set();
      watchers.set(workerId, set);
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    async workerEvents(workerId, { limit, beforeSeq }) {
      const matching = stored
        .filter((event) => event.workerId === workerId && (beforeSeq === undefined || event.seq < beforeSeq))
        .reverse();
      const items = matching.slice(0, limit);
      return { items, nextBeforeSeq: matching.length > limit ? (items.at(-1)?.seq ?? null) : null };
    },
    async bounds() {
      return { firstSeq: stored[0]?.seq ?? lastSeq + 1, lastSeq };
    },
    dropBefore(seq) {
      const keep = stored.filter((event) => event.seq >= seq);
      stored.splice(0, stored.length, ...keep);
    },
    recreate() {
      stored.length = 0;
      lastSeq = 0;
    },
  };
}
