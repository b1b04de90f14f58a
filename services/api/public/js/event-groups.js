/**
 * Collapses runs of identical metrics updates in a worker's event list: a collector reports every interval, so
 * most `*_metrics_updated` events repeat the previous one but for their timestamps.
 * @typedef {import("./live-feed.js").CloudEvent} CloudEvent
 * @typedef {{ name: string, event: CloudEvent }} EventItem
 * @typedef {{ name: string, event: CloudEvent, oldest: CloudEvent, count: number }} EventGroup newest event first
 */

/** Fields of a metrics update that change on every report without saying anything new. */
const VOLATILE_FIELDS = new Set([
  "version",
  "observedAt",
  "checkedAt",
  "collectedAt",
  "syncedAt",
  "datapointAt",
  "uptimeSeconds",
]);

/**
 * What an event says, timestamps and versions left out; null for events that are never collapsed.
 * @param {EventItem} item
 * @returns {string | null}
 */
export function eventSignature({ name, event }) {
  if (!name.endsWith("_metrics_updated")) return null;
  const data = event.data ?? {};
  const kept = Object.keys(data)
    .filter((key) => !VOLATILE_FIELDS.has(key))
    .sort()
    .map((key) => [key, data[key]]);
  return `${name}:${JSON.stringify(kept)}`;
}

/**
 * Groups consecutive items (newest first) with the same signature.
 * @param {EventItem[]} items newest first
 * @returns {EventGroup[]}
 */
export function groupEvents(items) {
  /** @type {EventGroup[]} */
  const groups = [];
  /** @type {string | null} */
  let lastSignature = null;
  for (const item of items) {
    const signature = eventSignature(item);
    const last = groups.at(-1);
    if (last !== undefined && signature !== null && signature === lastSignature) {
      last.count += 1;
      last.oldest = item.event;
      continue;
    }
    groups.push({ name: item.name, event: item.event, oldest: item.event, count: 1 });
    lastSignature = signature;
  }
  return groups;
}
