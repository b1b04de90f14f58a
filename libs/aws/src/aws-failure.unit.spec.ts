import { describe, expect, it } from "vitest";
import { describeAwsFailure } from "./aws-failure.ts";
import { awsError } from "./testing/aws-error.ts";

describe("AWS failures", () => {
  it("classifies throttling as retryable and client faults as final", () => {
    expect(describeAwsFailure(awsError("RequestLimitExceeded"))).toMatchObject({
      errorType: "Throttled",
      retryable: true,
    });
    expect(describeAwsFailure(awsError("InvalidParameterValue", "no", "client"))).toMatchObject({
      errorType: "AwsError",
      retryable: false,
    });
  });

  it("names a missing permission access_denied", () => {
    const denied = awsError("AccessDenied", "not authorized to perform: cloudwatch:ListMetrics", "client");
    expect(describeAwsFailure(denied)).toEqual({
      errorType: "access_denied",
      errorMessage: "AccessDenied: not authorized to perform: cloudwatch:ListMetrics",
      retryable: false,
    });
    expect(describeAwsFailure(awsError("UnauthorizedOperation", "no", "client")).errorType).toBe(
      "access_denied",
    );
  });
});
