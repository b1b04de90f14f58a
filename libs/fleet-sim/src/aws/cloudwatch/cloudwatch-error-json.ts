/** Smithy shape ids CloudWatch puts in `__type` for each query-compatible error code. */
const ERROR_TYPES: Record<string, string> = {
  InvalidParameterValue: "com.amazonaws.cloudwatch#InvalidParameterValueException",
  InvalidParameterCombination: "com.amazonaws.cloudwatch#InvalidParameterCombinationException",
  MissingParameter: "com.amazonaws.cloudwatch#MissingRequiredParameterException",
  InvalidNextToken: "com.amazonaws.cloudwatch#InvalidNextToken",
  InternalServiceError: "com.amazonaws.cloudwatch#InternalServiceFault",
  LimitExceeded: "com.amazonaws.cloudwatch#LimitExceededFault",
  Throttling: "com.amazon.coral.availability#ThrottlingException",
  InternalFailure: "com.amazon.coral.service#InternalFailure",
  ValidationError: "com.amazon.coral.validate#ValidationException",
  UnknownOperationException: "com.amazon.coral.service#UnknownOperationException",
  MissingAuthenticationToken: "com.amazon.coral.service#MissingAuthenticationTokenException",
  AccessDenied: "com.amazon.coral.service#AccessDeniedException",
};

/**
 * CloudWatch's awsJson1_0 error: `__type` + `message` in the body and, because the service is
 * query-compatible, the legacy code in the `x-amzn-query-error: <Code>;<Sender|Receiver>` header.
 */
export function cloudWatchError(
  code: string,
  message: string,
  statusCode: number,
): { body: string; headers: Record<string, string> } {
  const type = ERROR_TYPES[code] ?? `com.amazonaws.cloudwatch#${code}`;
  return {
    body: JSON.stringify({ __type: type, message }),
    headers: { "x-amzn-query-error": `${code};${statusCode >= 500 ? "Receiver" : "Sender"}` },
  };
}
