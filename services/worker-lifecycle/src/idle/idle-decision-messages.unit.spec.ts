import { blankWorkerState, type WorkerState } from "@cml-telemetry/contracts";
import { idleStopRequestId } from "@cml-telemetry/lifecycle";
import { describe, expect, it } from "vitest";
import { idleDecisionMessage, idlePolicySkipId } from "./idle-decision-messages.ts";

const NOW = new Date("2026-11-25T12:00:00.000Z");
const IDLE_SINCE = "2026-11-25T10:00:00.000Z";

function givenWorker(overrides: Partial<WorkerState> = {}): WorkerState {
  return {
    ...blankWorkerState({
      id: "8f0b7a56-3a55-5a41-9a0c-6c1b2f7d9e10",
      region: "eu-west-1",
      instanceId: "i-0123456789abcdef0",
      at: "2026-11-25T08:00:00.000Z",
      createdBy: "discovery",
    }),
    status: "RUNNING",
    ...overrides,
  };
}

const stop = { kind: "stop", idleSince: IDLE_SINCE, idleMinutes: 120 } as const;
const skip = { kind: "skip", reason: "exempt", idleSince: IDLE_SINCE, idleMinutes: 120 } as const;

describe("what the idle policy sends for a decision", () => {
  it("asks worker-lifecycle to stop, as the idle policy, dry-run in mode dry-run, with the period's request id", () => {
    const worker = givenWorker();
    expect(idleDecisionMessage(worker, stop, "dry-run", NOW)).toEqual({
      kind: "stop",
      command: {
        workerId: worker.id,
        region: "eu-west-1",
        instanceId: "i-0123456789abcdef0",
        action: "stop",
        requestedBy: "idle-policy",
        reason: "idle-policy",
        dryRun: true,
        requestId: idleStopRequestId(worker.id, IDLE_SINCE, "dry-run"),
      },
    });
    expect(idleDecisionMessage(worker, stop, "on", NOW)).toMatchObject({ command: { dryRun: false } });
  });

  it("does not ask again once the worker's state shows the request of this period and mode", () => {
    const requestId = idleStopRequestId(givenWorker().id, IDLE_SINCE, "on");
    const asked = givenWorker({
      lastLifecycleAction: {
        action: "stop",
        requestedBy: "idle-policy",
        reason: "idle-policy",
        dryRun: false,
        outcome: "rejected",
        requestId,
        at: "2026-11-25T11:00:00.000Z",
      },
    });
    expect(idleDecisionMessage(asked, stop, "on", NOW)).toBeUndefined();
    // A dry run of the period does not use up the real stop when the mode becomes `on`.
    expect(idleDecisionMessage(asked, stop, "dry-run", NOW)).toMatchObject({ kind: "stop" });
  });

  it("sends a skip for the aggregate with the reason, once per idle period", () => {
    const worker = givenWorker();
    expect(idleDecisionMessage(worker, skip, "on", NOW)).toEqual({
      kind: "skip",
      id: idlePolicySkipId(worker.id, IDLE_SINCE, "exempt"),
      command: {
        workerId: worker.id,
        region: "eu-west-1",
        instanceId: "i-0123456789abcdef0",
        decision: "skip",
        reason: "exempt",
        mode: "on",
        idleSince: IDLE_SINCE,
        evaluatedAt: NOW.toISOString(),
      },
    });
    const recorded = givenWorker({ idleStopSkipped: { reason: "snoozed", at: "2026-11-25T11:00:00.000Z" } });
    expect(idleDecisionMessage(recorded, skip, "on", NOW)).toBeUndefined();
  });

  it("sends nothing when there is nothing to decide", () => {
    expect(idleDecisionMessage(givenWorker(), { kind: "none" }, "on", NOW)).toBeUndefined();
  });
});
