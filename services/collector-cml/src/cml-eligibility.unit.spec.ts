import { initialWorkerStateFixture } from "@cml-telemetry/scheduling/testing";
import { describe, expect, it } from "vitest";
import { cmlTargetOf, isCmlCollectable } from "./cml-eligibility.ts";

const id = "8f0b7a56-3a55-5a41-9a0c-6c1b2f7d9e10";
const endpoint = "https://10.0.0.5";

describe("isCmlCollectable", () => {
  it("accepts only RUNNING workers with an HTTPS endpoint", () => {
    const base = initialWorkerStateFixture(id);
    expect(isCmlCollectable({ ...base, status: "RUNNING", httpsEndpoint: endpoint })).toBe(true);
    expect(isCmlCollectable({ ...base, status: "RUNNING", httpsEndpoint: null })).toBe(false);
    expect(isCmlCollectable({ ...base, status: "RUNNING", httpsEndpoint: "" })).toBe(false);
    for (const status of [
      "PENDING",
      "STOPPING",
      "STOPPED",
      "SHUTTING_DOWN",
      "TERMINATED",
      "UNKNOWN",
    ] as const) {
      expect(isCmlCollectable({ ...base, status, httpsEndpoint: endpoint })).toBe(false);
    }
  });

  it("builds the collect target from the state", () => {
    const state = { ...initialWorkerStateFixture(id), status: "RUNNING" as const, httpsEndpoint: endpoint };
    expect(cmlTargetOf(state)).toEqual({
      workerId: id,
      region: "us-east-1",
      instanceId: "i-0123456789abcdef0",
      httpsEndpoint: endpoint,
    });
  });
});
