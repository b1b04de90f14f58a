import { initialWorkerStateFixture } from "@cml-telemetry/scheduling/testing";
import { describe, expect, it } from "vitest";
import { isSlotCovered } from "./slot-coverage.ts";

const SLOT = 1_764_072_000;
const observedAt = (at: string | null) => {
  const state = initialWorkerStateFixture("w1");
  return { ...state, cmlMetrics: { ...state.cmlMetrics, lastObservedAt: at } };
};

describe("isSlotCovered", () => {
  it("is true only for an observation at or after the slot's start", () => {
    expect(isSlotCovered(observedAt(null), SLOT)).toBe(false);
    expect(isSlotCovered(observedAt(new Date((SLOT - 1) * 1000).toISOString()), SLOT)).toBe(false);
    expect(isSlotCovered(observedAt(new Date(SLOT * 1000).toISOString()), SLOT)).toBe(true);
    expect(isSlotCovered(observedAt(new Date((SLOT + 90) * 1000).toISOString()), SLOT)).toBe(true);
  });
});
