import { AwsApiError } from "../aws-api-error.ts";
import type { QueryParams } from "../query-params.ts";

/**
 * EC2's answer to a call made with `DryRun=true` that the caller may make: an error response, HTTP 412, with this code
 * ([EC2 common parameters: DryRun](https://docs.aws.amazon.com/AWSEC2/latest/APIReference/CommonParameters.html)). A
 * caller without the permission gets `UnauthorizedOperation` instead (the `deny` fault, applied before any handler).
 */
export function dryRunOperation(): AwsApiError {
  return new AwsApiError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
}

/**
 * Answers a dry run of a read call: `DryRunOperation`, without reading anything.
 * @throws AwsApiError `DryRunOperation` when the request has `DryRun=true`.
 */
export function answerDryRun(params: QueryParams): void {
  if (params.get("DryRun") === "true") throw dryRunOperation();
}
