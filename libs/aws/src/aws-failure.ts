/** How a failed AWS call is reported in a `<source>.failed` event. */
export interface AwsFailure {
  /** `Throttled` or `AwsError`. */
  readonly errorType: "Throttled" | "AwsError";
  readonly errorMessage: string;
  readonly retryable: boolean;
}

/** Error names AWS uses for throttling across EC2 and CloudWatch. */
const THROTTLING_NAMES = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "TooManyRequestsException",
  "RequestThrottled",
]);

/** Whether an AWS SDK error is a throttling answer. */
export function isThrottlingError(error: unknown): boolean {
  return error instanceof Error && THROTTLING_NAMES.has(error.name);
}

/** Describes a failed AWS call; every failure is retryable except a client-side fault (4xx other than throttling). */
export function describeAwsFailure(error: unknown): AwsFailure {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  if (isThrottlingError(error))
    return { errorType: "Throttled", errorMessage: `${name}: ${message}`, retryable: true };
  const fault = (error as { $fault?: string } | undefined)?.$fault;
  return { errorType: "AwsError", errorMessage: `${name}: ${message}`, retryable: fault !== "client" };
}
