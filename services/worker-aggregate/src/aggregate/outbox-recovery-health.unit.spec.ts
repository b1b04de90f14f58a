import { describe, expect, it } from "vitest";
import { outboxRecoveryHealth } from "./outbox-recovery-health.ts";

const progress = { total: 30, checked: 30, recovered: 2, pending: 0, failed: 0, listed: true, done: true };

describe("outboxRecoveryHealth", () => {
  it("is not ready while workers are listed or pending, and says how many", () => {
    expect(outboxRecoveryHealth({ ...progress, total: 0, checked: 0, listed: false, done: false })).toEqual({
      ready: false,
      detail: "listing the workers",
    });
    expect(outboxRecoveryHealth({ ...progress, checked: 18, pending: 12, done: false })).toEqual({
      ready: false,
      detail: "12 of 30 worker outboxes pending",
    });
  });

  it("is ready once nothing is pending, naming workers given up on", () => {
    expect(outboxRecoveryHealth(progress)).toEqual({ ready: true, detail: "30 worker outboxes checked" });
    expect(outboxRecoveryHealth({ ...progress, checked: 29, failed: 1 })).toEqual({
      ready: true,
      detail: "29 worker outboxes checked; 1 given up (see the logs)",
    });
  });
});
