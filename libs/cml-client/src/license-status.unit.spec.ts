import { describe, expect, it } from "vitest";
import { licenseStatusFromLicensing, mapCmlLicenseStatus } from "./license-status.ts";

describe("mapCmlLicenseStatus", () => {
  it.each([
    ["COMPLETED", "IN_COMPLIANCE", "REGISTERED"],
    ["REGISTERED", "AUTHORIZED", "REGISTERED"],
    ["COMPLETED", "INIT", "REGISTERED"],
    ["COMPLETED", "WAITING", "REGISTERED"],
    [null, "IN_COMPLIANCE", "REGISTERED"],
    ["COMPLETED", "OUT_OF_COMPLIANCE", "INVALID"],
    ["completed", "out-of-compliance", "INVALID"],
    ["COMPLETED", "NOT_AUTHORIZED", "INVALID"],
    ["COMPLETED", "AUTHORIZATION_EXPIRED", "EXPIRED"],
    ["UNREGISTERED", "EVAL_EXPIRED", "EXPIRED"],
    ["REGISTRATION_EXPIRED", "IN_COMPLIANCE", "EXPIRED"],
    ["UNREGISTERED", "EVAL", "EVALUATION"],
    ["NOT_REGISTERED", "Evaluation Mode", "EVALUATION"],
    ["EVALUATION", null, "EVALUATION"],
    ["UNREGISTERED", "NONE", "UNREGISTERED"],
    ["IN_PROGRESS", "INIT", "UNREGISTERED"],
    ["FAILED", null, "UNREGISTERED"],
    [undefined, undefined, "UNREGISTERED"],
    ["", "", "UNREGISTERED"],
    ["SOMETHING_NEW", "ALSO_NEW", "UNREGISTERED"],
  ])("registration %s + authorization %s → %s", (registration, authorization, expected) => {
    expect(mapCmlLicenseStatus(registration, authorization)).toBe(expected);
  });

  it("reads the statuses out of a licensing body, tolerating missing blocks", () => {
    expect(
      licenseStatusFromLicensing({
        registration: { status: "COMPLETED" },
        authorization: { status: "IN_COMPLIANCE" },
      }),
    ).toBe("REGISTERED");
    expect(licenseStatusFromLicensing({})).toBe("UNREGISTERED");
    expect(licenseStatusFromLicensing({ registration: null, authorization: null })).toBe("UNREGISTERED");
  });
});
