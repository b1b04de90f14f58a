import { describe, expect, it } from "vitest";
import { describeAwsFailure } from "./aws-failure.ts";
import { awsError } from "./testing/aws-error.ts";

describe("AWS failures", () => {
  it("classifies throttling as retryable and client faults as final", () => {
    expect(describeAwsFailure(awsError("RequestLimitExceeded"))).toMatchObject({
      errorType: "Throttled",
      retryable: true,
    });
    expect(describeAwsFailure(awsError("UnauthorizedOperation", "no", "client"))).toMatchObject({
      errorType: "AwsError",
      retryable: false,
    });
  });
});
