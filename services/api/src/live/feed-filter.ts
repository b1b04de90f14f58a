import type { FeedEvent, FeedFilter } from "../ports.ts";

/** Whether an event passes a live/replay filter (worker id and/or event names). */
export function matchesFilter(event: FeedEvent, filter: FeedFilter): boolean {
  if (filter.workerId !== undefined && event.workerId !== filter.workerId) return false;
  if (filter.types !== undefined && filter.types.size > 0 && !filter.types.has(event.name)) return false;
  return true;
}
