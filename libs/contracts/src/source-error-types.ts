/**
 * The stable `errorType` values of the AWS sources (`ec2.failed`, `cloudwatch.failed`, and the `memoryError` of
 * `cloudwatch.metrics`); they become the `type` of the worker's source `last_error` and label the collectors'
 * `collect_errors_total`. Consumers must accept values not listed here.
 */
export const awsErrorTypes = {
  /** AWS throttled the call after the collector's retries. */
  throttled: "Throttled",
  /** Any other failed AWS call. */
  awsError: "AwsError",
  /** EC2 does not know the instance (yet: just launched or tagged; or never: wrong id or region). */
  notFound: "not_found",
  /** The instance id is not one EC2 accepts (`i-` plus 8 or 17 hex digits); the worker must be registered again. */
  malformedId: "malformed_id",
  /** The collector's IAM identity lacks a permission; the message names it. */
  accessDenied: "access_denied",
  /** CloudWatch answered the call but this metric's result has `StatusCode: InternalError`. */
  metricInternalError: "metric_internal_error",
  /** CloudWatch answered the call but this metric's result has `StatusCode: Forbidden`. */
  metricForbidden: "metric_forbidden",
} as const;

/** One of {@link awsErrorTypes}. */
export type AwsErrorType = (typeof awsErrorTypes)[keyof typeof awsErrorTypes];
