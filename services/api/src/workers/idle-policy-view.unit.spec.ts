import type { WorkerState } from "@cml-telemetry/contracts";
import { type IdleStopPolicyConfig, parseMaintenanceWindows } from "@cml-telemetry/lifecycle";
import { describe, expect, it } from "vitest";
import { aWorkerState } from "../testing/worker-state-builder.ts";
import { idlePolicyView } from "./idle-policy-view.ts";

const T0 = Date.parse("2026-11-25T10:00:00.000Z"); // a Wednesday
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const policy: IdleStopPolicyConfig = {
  mode: "on",
  thresholdMinutes: 30,
  cmlFreshSeconds: 120,
  snoozeMinutes: 60,
  windows: [],
};

/** Given a worker RUNNING since minute 0, last lab activity at minute 5, CML fresh at minute 50 with nothing running. */
function givenWorker(overrides: Partial<WorkerState> = {}): WorkerState {
  const base = aWorkerState();
  return {
    ...base,
    runningSince: at(0),
    lastActivityAt: at(5),
    activeLabsCount: 0,
    cmlMetrics: {
      ...base.cmlMetrics,
      ready: true,
      labsCount: 1,
      runningLabsCount: 0,
      runningNodes: 0,
      lastSyncedAt: at(50),
    },
    ...overrides,
  };
}

const whenViewedAt = (state: WorkerState, minute: number, config: Partial<IdleStopPolicyConfig> = {}) =>
  idlePolicyView(state, new Date(T0 + minute * 60_000), { ...policy, ...config });

const policyStop = (minute: number, dryRun: boolean) =>
  ({
    action: "stop",
    requestedBy: "idle-policy",
    reason: "idle-policy",
    dryRun,
    outcome: dryRun ? "dry-run" : "accepted",
    requestId: "0d5e3b8c-2f4a-5c6d-8e9f-1a2b3c4d5e6f",
    at: at(minute),
  }) as const;

describe("idle policy view", () => {
  it("is off in mode off, whatever the worker", () => {
    expect(whenViewedAt(givenWorker(), 51, { mode: "off" })).toEqual({
      mode: "off",
      state: "off",
      skip_reason: null,
    });
  });

  it("is not-idle before the threshold, and for a worker that is not running", () => {
    expect(whenViewedAt(givenWorker(), 30).state).toBe("not-idle");
    expect(whenViewedAt(givenWorker({ status: "STOPPED", runningSince: null }), 51).state).toBe("not-idle");
  });

  it("will stop an idle worker whose every condition holds", () => {
    expect(whenViewedAt(givenWorker(), 51)).toEqual({ mode: "on", state: "will-stop", skip_reason: null });
  });

  it.each<[string, Partial<WorkerState>, Partial<IdleStopPolicyConfig>, string]>([
    ["exempt by tag", { tags: { "cml:idle-stop": "off" } }, {}, "exempt"],
    [
      "started by an operator within the snooze",
      {
        lastLifecycleAction: {
          action: "start",
          requestedBy: "ops-team",
          reason: "operator",
          dryRun: false,
          outcome: "accepted",
          requestId: "start-1",
          at: at(20),
        },
      },
      {},
      "snoozed",
    ],
    ["with stale CML data", {}, { cmlFreshSeconds: 30 }, "cml-unknown"],
    [
      "with running nodes",
      { cmlMetrics: { ...givenWorker().cmlMetrics, runningNodes: 3 } },
      {},
      "labs-running",
    ],
    [
      "inside a maintenance window",
      {},
      { windows: parseMaintenanceWindows("Wed 10:00-11:00 UTC") },
      "maintenance-window",
    ],
  ])("is skipped for a worker %s, with the reason", (_, overrides, config, reason) => {
    expect(whenViewedAt(givenWorker(overrides), 51, config)).toEqual({
      mode: "on",
      state: "skipped",
      skip_reason: reason,
    });
  });

  it("is stop-requested once the policy asked to stop it in this idle period, in the current mode", () => {
    expect(whenViewedAt(givenWorker({ lastLifecycleAction: policyStop(45, false) }), 51).state).toBe(
      "stop-requested",
    );
    const dryRun = givenWorker({ lastLifecycleAction: policyStop(45, true) });
    expect(whenViewedAt(dryRun, 51, { mode: "dry-run" })).toEqual({
      mode: "dry-run",
      state: "stop-requested",
      skip_reason: null,
    });
    // A dry-run request does not stand for the real stop once the mode is on; nor one of an earlier idle period.
    expect(whenViewedAt(dryRun, 51).state).toBe("will-stop");
    expect(whenViewedAt(givenWorker({ lastLifecycleAction: policyStop(-10, false) }), 51).state).toBe(
      "will-stop",
    );
  });

  it("is stop-requested while the worker is stopping or stopped by the policy", () => {
    const stopped = givenWorker({ status: "STOPPED", runningSince: null, idleStoppedAt: at(52) });
    expect(whenViewedAt(stopped, 60).state).toBe("stop-requested");
    expect(whenViewedAt({ ...stopped, idleStoppedAt: null }, 60).state).toBe("not-idle");
  });
});
