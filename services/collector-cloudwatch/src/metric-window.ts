/** How long after its period ends a CloudWatch datapoint may still be missing (1-minute data needs ~2 minutes). */
export const LATE_DATAPOINT_SECONDS = 60;
/** How far back a query looks for the newest datapoint. */
export const LOOKBACK_SECONDS = 30 * 60;

/** The time range of one `GetMetricData` call, epoch seconds, aligned to 300 s at the start and 60 s at the end. */
export interface MetricWindow {
  readonly startSeconds: number;
  readonly endSeconds: number;
}

/**
 * The window of a collection at `nowMs`: it ends at the last whole minute that is at least
 * {@link LATE_DATAPOINT_SECONDS} old, so the newest buckets have had time to fill, and starts
 * {@link LOOKBACK_SECONDS} earlier on a 5-minute boundary.
 */
export function metricWindow(nowMs: number): MetricWindow {
  const endSeconds = Math.floor((Math.floor(nowMs / 1000) - LATE_DATAPOINT_SECONDS) / 60) * 60;
  const startSeconds = Math.floor((endSeconds - LOOKBACK_SECONDS) / 300) * 300;
  return { startSeconds, endSeconds };
}

/** Whether a bucket of `periodSeconds` starting at `bucketStartSeconds` lies wholly inside the window. */
export function isCompleteBucket(
  bucketStartSeconds: number,
  periodSeconds: number,
  window: MetricWindow,
): boolean {
  return bucketStartSeconds + periodSeconds <= window.endSeconds;
}

/**
 * Whether the newest datapoint is older than expected: the newest complete bucket of the window, with one period
 * of tolerance for late datapoints, should be there.
 */
export function isStaleDatapoint(
  datapointSeconds: number,
  periodSeconds: number,
  window: MetricWindow,
): boolean {
  const newestComplete = Math.floor(window.endSeconds / periodSeconds) * periodSeconds - periodSeconds;
  return datapointSeconds < newestComplete - periodSeconds;
}
