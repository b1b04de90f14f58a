/**
 * Start (epoch ms) of the bucket holding `epochMs`: `floor(epochMs / interval) * interval`, i.e. buckets aligned
 * to the interval in UTC epoch time. Both stores bucket with this rule.
 */
export function bucketStartMs(epochMs: number, intervalSeconds: number): number {
  const intervalMs = intervalSeconds * 1000;
  return Math.floor(epochMs / intervalMs) * intervalMs;
}
