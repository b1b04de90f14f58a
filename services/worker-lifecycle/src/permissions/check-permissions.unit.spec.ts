import { describe, expect, it } from "vitest";
import { describePermissionChecks, type PermissionCheck } from "./check-permissions.ts";

const allowed = (permission: PermissionCheck["permission"], region: string): PermissionCheck => ({
  permission,
  region,
  state: "allowed",
});

describe("the /readyz line of the permission checks", () => {
  it("lists what every region allows", () => {
    const checks = ["us-east-1", "eu-west-1"].flatMap((region) =>
      (
        [
          "ec2:DescribeInstances",
          "ec2:StartInstances",
          "ec2:StopInstances",
          "ec2:TerminateInstances",
        ] as const
      ).map((permission) => allowed(permission, region)),
    );
    expect(describePermissionChecks(checks)).toBe(
      "allowed: ec2:DescribeInstances, ec2:StartInstances, ec2:StopInstances, ec2:TerminateInstances",
    );
  });
  it("warns about a denied permission, naming its region, and says what it costs", () => {
    const checks: PermissionCheck[] = [
      allowed("ec2:DescribeInstances", "us-east-1"),
      allowed("ec2:StopInstances", "us-east-1"),
      {
        permission: "ec2:TerminateInstances",
        region: "us-east-1",
        state: "denied",
        detail: "UnauthorizedOperation",
      },
      {
        permission: "ec2:StartInstances",
        region: "us-east-1",
        state: "unknown",
        detail: "TimeoutError: socket",
      },
    ];
    expect(describePermissionChecks(checks)).toBe(
      "allowed: ec2:DescribeInstances, ec2:StopInstances; WARNING denied: ec2:TerminateInstances (us-east-1); requests needing them are rejected; not known: ec2:StartInstances (us-east-1) (TimeoutError: socket)",
    );
  });
});
