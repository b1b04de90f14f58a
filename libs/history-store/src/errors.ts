/**
 * The backing database could not be reached or kept failing with transient errors after retries.
 * Nothing was lost: the caller should retry later (a consumer naks the message with backoff).
 */
export class StoreUnavailableError extends Error {
  readonly code = "STORE_UNAVAILABLE";
  readonly retryable = true;
  override readonly name = "StoreUnavailableError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A sample or a query is malformed (bad date range, interval, limit, source, metric or value).
 * Retrying cannot help: a consumer terminates the message.
 */
export class InvalidHistoryInputError extends Error {
  readonly code = "INVALID_HISTORY_INPUT";
  readonly retryable = false;
  override readonly name = "InvalidHistoryInputError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
