import { describe, expect, it } from "vitest";
import { isAwsImageId, isAwsInstanceId } from "./aws-ids.ts";

describe("AWS ids", () => {
  it("accepts only i- or ami- plus 8 or 17 lowercase hex digits, like EC2", () => {
    expect(isAwsInstanceId("i-0123abcd")).toBe(true);
    expect(isAwsInstanceId("i-0123456789abcdef0")).toBe(true);
    for (const bad of [
      "i-0123456789",
      "i-0123456789ABCDEF0",
      "i-0123abc",
      "0123456789abcdef0",
      "i-0123456789abcdef01",
    ])
      expect(isAwsInstanceId(bad), bad).toBe(false);
    expect(isAwsImageId("ami-0123456789abcdef0")).toBe(true);
    expect(isAwsImageId("ami-0123456")).toBe(false);
  });
});
