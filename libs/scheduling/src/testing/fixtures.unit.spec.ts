import { workerStateSchema } from "@cml-telemetry/contracts";
import { describe, expect, it } from "vitest";
import { initialWorkerStateFixture } from "./fixtures.ts";

describe("initial worker state fixture", () => {
  it("is a schema-valid blank state with the given id", () => {
    const state = initialWorkerStateFixture("w-1");
    expect(workerStateSchema.parse(state)).toEqual(state);
    expect(state).toMatchObject({ id: "w-1", status: "UNKNOWN", serviceStatus: "UNAVAILABLE", version: 0 });
    expect(state.ec2Metrics.instanceState).toBeNull();
  });
});
