/** Milliseconds since the epoch of an RFC 3339 timestamp (ordering must not depend on its precision). */
export function epochMs(timestamp: string): number {
  return Date.parse(timestamp);
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ` (what `toISOString` writes): for two such timestamps, text order is time order. */
function isCanonical(timestamp: string): boolean {
  return timestamp.length === 24 && timestamp.charCodeAt(23) === 90 && timestamp.charCodeAt(19) === 46;
}

/**
 * Whether `candidate` is strictly newer than `reference` (any candidate is newer than nothing). Two timestamps in
 * the canonical form are compared as text (the common case, and the hot path); any other pair by parsing.
 */
export function isNewer(candidate: string, reference: string | null): boolean {
  if (reference === null) return true;
  return isCanonical(candidate) && isCanonical(reference)
    ? candidate > reference
    : epochMs(candidate) > epochMs(reference);
}

/**
 * CML uptime in whole seconds: `observedAt − readySince` (CML 2.x reports none, DESIGN §5), never negative.
 * @example uptimeSeconds("2026-11-25T10:00:00.000Z", "2026-11-25T11:00:00.000Z") // 3600
 */
export function uptimeSeconds(readySince: string, observedAt: string): number {
  return Math.max(0, Math.floor((epochMs(observedAt) - epochMs(readySince)) / 1000));
}

/** Whole minutes between two timestamps, never negative. */
export function minutesBetween(from: string, to: string): number {
  return Math.max(0, Math.floor((epochMs(to) - epochMs(from)) / 60_000));
}
