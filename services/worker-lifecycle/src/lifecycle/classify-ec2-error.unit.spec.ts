import { awsError } from "@cml-telemetry/aws/testing";
import { describe, expect, it } from "vitest";
import { classifyEc2Error } from "./classify-ec2-error.ts";

const sdkError = (name: string, fault?: "client" | "server") => awsError(name, `${name} happened`, fault);

describe("what an EC2 error means for a lifecycle request", () => {
  it.each([
    ["DryRunOperation", "client", { kind: "dry-run" }],
    ["IncorrectInstanceState", "client", { kind: "incorrect-state" }],
    ["UnauthorizedOperation", "client", { kind: "rejected", errorType: "unauthorized" }],
    ["InvalidInstanceID.NotFound", "client", { kind: "rejected", errorType: "not_found" }],
    ["UnsupportedOperation", "client", { kind: "rejected", errorType: "unsupported" }],
    ["OperationNotPermitted", "client", { kind: "rejected", errorType: "aws_error" }],
    ["RequestLimitExceeded", "client", { kind: "transient" }],
    ["InternalError", "server", { kind: "transient" }],
    ["TimeoutError", undefined, { kind: "transient" }],
  ] as const)("%s (%s fault)", (name, fault, meaning) => {
    expect(classifyEc2Error(sdkError(name, fault))).toMatchObject(meaning);
  });

  it("keeps EC2's message, which names the permission or the state", () => {
    const meaning = classifyEc2Error(sdkError("UnauthorizedOperation", "client"));
    expect(meaning).toMatchObject({ message: "UnauthorizedOperation: UnauthorizedOperation happened" });
  });
});
