import { isAccessDeniedError, isThrottlingError } from "@cml-telemetry/aws";
import { lifecycleErrorTypes } from "@cml-telemetry/contracts";

/**
 * What an EC2 error means for a lifecycle request: the dry run was allowed (`DryRunOperation`), the instance's state
 * does not allow the action (`IncorrectInstanceState`: re-read it), EC2 refused for good (`rejected`, with the
 * `errorType` of the `ec2.action` outcome), or a retry may succeed (`transient`: throttling, 5xx, network).
 */
export type Ec2ErrorMeaning =
  | { readonly kind: "dry-run" }
  | { readonly kind: "incorrect-state"; readonly message: string }
  | { readonly kind: "rejected"; readonly errorType: string; readonly message: string }
  | { readonly kind: "transient"; readonly message: string };

const REJECTIONS: Readonly<Record<string, string>> = {
  "InvalidInstanceID.NotFound": lifecycleErrorTypes.notFound,
  UnsupportedOperation: lifecycleErrorTypes.unsupported,
};

/** Reads an error of `@aws-sdk/client-ec2` (its `name` is EC2's error code, `$fault` client or server). */
export function classifyEc2Error(error: unknown): Ec2ErrorMeaning {
  const name = error instanceof Error ? error.name : "Error";
  const message = `${name}: ${error instanceof Error ? error.message : String(error)}`;
  if (name === "DryRunOperation") return { kind: "dry-run" };
  if (name === "IncorrectInstanceState") return { kind: "incorrect-state", message };
  if (isAccessDeniedError(error))
    return { kind: "rejected", errorType: lifecycleErrorTypes.unauthorized, message };
  if (isThrottlingError(error)) return { kind: "transient", message };
  const rejection = REJECTIONS[name];
  if (rejection !== undefined) return { kind: "rejected", errorType: rejection, message };
  // A 4xx EC2 answer is final; a 5xx answer, or no answer at all (timeout, connection refused), may pass.
  const fault = (error as { $fault?: string } | undefined)?.$fault;
  return fault === "client"
    ? { kind: "rejected", errorType: lifecycleErrorTypes.awsError, message }
    : { kind: "transient", message };
}
