import { awsErrorTypes } from "@cml-telemetry/contracts";

/** How a failed AWS call is reported in a `<source>.failed` event. */
export interface AwsFailure {
  /** `Throttled`, `access_denied` (a missing IAM permission) or `AwsError`. */
  readonly errorType:
    | typeof awsErrorTypes.throttled
    | typeof awsErrorTypes.accessDenied
    | typeof awsErrorTypes.awsError;
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

/** Error names AWS uses for a missing IAM permission (CloudWatch `AccessDenied`, EC2 `UnauthorizedOperation`). */
const ACCESS_DENIED_NAMES = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);

/** Whether an AWS SDK error says the caller lacks an IAM permission. */
export function isAccessDeniedError(error: unknown): boolean {
  return error instanceof Error && ACCESS_DENIED_NAMES.has(error.name);
}

/**
 * Whether an AWS SDK error is EC2's answer to a permitted dry run (`DryRunOperation`): the call did what it was
 * asked, it only comes back as an error.
 */
export function isDryRunAnswer(error: unknown): boolean {
  return error instanceof Error && error.name === "DryRunOperation";
}

/** Whether an AWS SDK error is a throttling answer. */
export function isThrottlingError(error: unknown): boolean {
  return error instanceof Error && THROTTLING_NAMES.has(error.name);
}

/**
 * Describes a failed AWS call; every failure is retryable except a client-side fault (4xx other than throttling). A
 * missing permission is `access_denied`, its message naming the permission as AWS does.
 */
export function describeAwsFailure(error: unknown): AwsFailure {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  if (isThrottlingError(error))
    return { errorType: awsErrorTypes.throttled, errorMessage: `${name}: ${message}`, retryable: true };
  if (isAccessDeniedError(error))
    return { errorType: awsErrorTypes.accessDenied, errorMessage: `${name}: ${message}`, retryable: false };
  const fault = (error as { $fault?: string } | undefined)?.$fault;
  return {
    errorType: awsErrorTypes.awsError,
    errorMessage: `${name}: ${message}`,
    retryable: fault !== "client",
  };
}
