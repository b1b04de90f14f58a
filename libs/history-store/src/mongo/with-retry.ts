import { StoreUnavailableError } from "../errors.ts";
import type { HistoryStoreLogger } from "../logger.ts";

/** How MongoDB operations are retried on transient errors. */
export type RetryPolicy = {
  /** Total attempts including the first (default 5). */
  maxAttempts: number;
  /** Delay before the first retry; doubles per retry (default 100 ms). */
  initialDelayMs: number;
  /** Upper bound of one delay (default 2000 ms). */
  maxDelayMs: number;
  /** How to wait (injectable so tests need no timers). */
  sleep: (ms: number) => Promise<void>;
};

/** The default {@link RetryPolicy}. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  initialDelayMs: 100,
  maxDelayMs: 2000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Run `attempt`, retrying with exponential backoff while `isTransient(error)` holds. A non-transient error is
 * rethrown unchanged; when the attempts are used up a {@link StoreUnavailableError} wraps the last error.
 */
export async function withRetry<T>(
  operation: string,
  attempt: () => Promise<T>,
  isTransient: (error: unknown) => boolean,
  policy: RetryPolicy,
  logger: HistoryStoreLogger,
): Promise<T> {
  let delayMs = policy.initialDelayMs;
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransient(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (attemptNumber >= policy.maxAttempts) {
        throw new StoreUnavailableError(
          `MongoDB ${operation} failed after ${attemptNumber} attempts: ${message}`,
          { cause: error },
        );
      }
      logger.warn(
        { operation, attempt: attemptNumber, delayMs, err: message },
        "transient MongoDB error, retrying",
      );
      await policy.sleep(delayMs);
      delayMs = Math.min(delayMs * 2, policy.maxDelayMs);
    }
  }
}
