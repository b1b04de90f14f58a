/** Milliseconds since the epoch of an RFC 3339 timestamp (ordering must not depend on its precision). */
export function epochMs(timestamp: string): number {
  return Date.parse(timestamp);
}

/** Whether `candidate` is strictly newer than `reference` (any candidate is newer than nothing). */
export function isNewer(candidate: string, reference: string | null): boolean {
  return reference === null || epochMs(candidate) > epochMs(reference);
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
