import { blankWorkerState, type WorkerState } from "@cml-telemetry/contracts";
import { describe, expect, it } from "vitest";
import { evaluateIdleStop, type IdleStopDecision, type IdleStopPolicyConfig } from "./evaluate-idle-stop.ts";
import { parseMaintenanceWindows } from "./maintenance-windows.ts";

const T0 = Date.parse("2026-11-25T10:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const config: IdleStopPolicyConfig = {
  mode: "on",
  thresholdMinutes: 30,
  cmlFreshSeconds: 120,
  snoozeMinutes: 60,
  windows: [],
};

/**
 * Given a RUNNING worker since minute 0 that last ran a lab at minute 5 and whose CML (AVAILABLE, ready, 0 labs and 0
 * nodes running) was last synced at minute 50, with `overrides` — the worker every scenario starts from.
 */
function givenWorker(overrides: Partial<WorkerState> = {}): WorkerState {
  const blank = blankWorkerState({
    id: "8f0b7a56-3a55-5a41-9a0c-6c1b2f7d9e10",
    region: "us-east-1",
    instanceId: "i-0123456789abcdef0",
    at: at(-60),
    createdBy: "discovery",
  });
  return {
    ...blank,
    status: "RUNNING",
    serviceStatus: "AVAILABLE",
    runningSince: at(0),
    lastActivityAt: at(5),
    activeLabsCount: 0,
    cmlMetrics: {
      ...blank.cmlMetrics,
      ready: true,
      labsCount: 2,
      runningLabsCount: 0,
      runningNodes: 0,
      lastSyncedAt: at(50),
    },
    version: 9,
    ...overrides,
  };
}

function whenEvaluatedAt(state: WorkerState, minute: number, with_: Partial<IdleStopPolicyConfig> = {}) {
  return evaluateIdleStop(state, new Date(T0 + minute * 60_000), { ...config, ...with_ });
}

const stop = (idleSince: string, idleMinutes: number): IdleStopDecision => ({
  kind: "stop",
  idleSince,
  idleMinutes,
});
const skip = (reason: string, idleMinutes = 46): IdleStopDecision =>
  ({ kind: "skip", reason, idleSince: at(5), idleMinutes }) as IdleStopDecision;

describe("idle auto-stop policy", () => {
  it("stops a running worker idle past the threshold whose fresh CML data shows nothing running", () => {
    expect(whenEvaluatedAt(givenWorker(), 51)).toEqual(stop(at(5), 46));
  });

  it("does nothing in mode off", () => {
    expect(whenEvaluatedAt(givenWorker(), 51, { mode: "off" })).toEqual({ kind: "none" });
  });

  it("decides the same in dry-run as in on (the mode only changes what the stop does)", () => {
    expect(whenEvaluatedAt(givenWorker(), 51, { mode: "dry-run" })).toEqual(stop(at(5), 46));
  });

  it.each<[string, Partial<WorkerState>, number]>([
    ["not idle for longer than the threshold yet", {}, 35],
    ["labs running (activity)", { activeLabsCount: 1 }, 51],
    ["never had activity (§5: never idle)", { lastActivityAt: null }, 51],
    ["not RUNNING", { status: "STOPPING" }, 51],
    ["terminated", { status: "TERMINATED", terminatedAt: at(40) }, 51],
  ])("decides nothing for a worker %s", (_, overrides, minute) => {
    expect(whenEvaluatedAt(givenWorker(overrides), minute)).toEqual({ kind: "none" });
  });

  it("counts the idle period from the start of the current run when that is later than the last activity", () => {
    const restarted = givenWorker({ runningSince: at(40) });
    expect(whenEvaluatedAt(restarted, 51)).toEqual({ kind: "none" });
    expect(
      whenEvaluatedAt({ ...restarted, cmlMetrics: { ...restarted.cmlMetrics, lastSyncedAt: at(70) } }, 71),
    ).toEqual(stop(at(40), 31));
  });

  it("leaves a worker tagged cml:idle-stop=off running: exempt", () => {
    expect(whenEvaluatedAt(givenWorker({ tags: { "cml:idle-stop": "off" } }), 51)).toEqual(skip("exempt"));
    expect(whenEvaluatedAt(givenWorker({ tags: { "cml:idle-stop": "on" } }), 51)).toEqual(stop(at(5), 46));
  });

  it("leaves a worker an operator started within the snooze running: snoozed, and stops it after", () => {
    const started = givenWorker({
      lastLifecycleAction: {
        action: "start",
        requestedBy: "alice",
        reason: "operator",
        dryRun: false,
        outcome: "already",
        requestId: "r1",
        at: at(0),
      },
    });
    expect(whenEvaluatedAt(started, 51)).toEqual(skip("snoozed"));
    const later = { ...started, cmlMetrics: { ...started.cmlMetrics, lastSyncedAt: at(60) } };
    expect(whenEvaluatedAt(later, 61)).toEqual(stop(at(5), 56));
  });

  it.each<[string, Partial<WorkerState["lastLifecycleAction"] & object>]>([
    ["a dry-run start", { dryRun: true }],
    ["a rejected start", { outcome: "rejected" }],
    ["a stop", { action: "stop" }],
  ])("does not snooze for %s", (_, change) => {
    const action = {
      action: "start",
      requestedBy: "alice",
      reason: "operator",
      dryRun: false,
      outcome: "accepted",
      requestId: "r1",
      at: at(40),
      ...change,
    } as const;
    expect(whenEvaluatedAt(givenWorker({ lastLifecycleAction: action }), 51)).toEqual(stop(at(5), 46));
  });

  it.each<[string, (state: WorkerState) => WorkerState]>([
    [
      "stale (synced more than two CML intervals ago)",
      (s) => ({ ...s, cmlMetrics: { ...s.cmlMetrics, lastSyncedAt: at(48) } }),
    ],
    ["never synced", (s) => ({ ...s, cmlMetrics: { ...s.cmlMetrics, lastSyncedAt: null } })],
    [
      "unreachable since the last sync",
      (s) => ({
        ...s,
        cmlMetrics: {
          ...s.cmlMetrics,
          lastError: { type: "CmlUnreachable", message: "ECONNREFUSED", at: at(50.5) },
        },
      }),
    ],
    ["not AVAILABLE", (s) => ({ ...s, serviceStatus: "STARTING" })],
    ["not ready", (s) => ({ ...s, cmlMetrics: { ...s.cmlMetrics, ready: false } })],
    ["without its labs read", (s) => ({ ...s, cmlMetrics: { ...s.cmlMetrics, runningLabsCount: null } })],
  ])("never stops a worker whose CML data is %s: cml-unknown", (_, change) => {
    expect(whenEvaluatedAt(change(givenWorker()), 51)).toEqual(skip("cml-unknown"));
  });

  it("takes an error older than the last sync as recovered", () => {
    const state = givenWorker();
    const recovered = {
      ...state,
      cmlMetrics: { ...state.cmlMetrics, lastError: { type: "CmlUnreachable", message: "x", at: at(49) } },
    };
    expect(whenEvaluatedAt(recovered, 51)).toEqual(stop(at(5), 46));
  });

  it("never stops a worker whose CML shows running nodes (outside a started lab): labs-running", () => {
    const state = givenWorker();
    const nodes = { ...state, cmlMetrics: { ...state.cmlMetrics, runningNodes: 3 } };
    expect(whenEvaluatedAt(nodes, 51)).toEqual(skip("labs-running"));
    const labs = { ...state, cmlMetrics: { ...state.cmlMetrics, runningLabsCount: 1 } };
    expect(whenEvaluatedAt(labs, 51)).toEqual(skip("labs-running"));
  });

  it("never stops a worker inside a maintenance window: maintenance-window (2026-11-25 is a Wednesday)", () => {
    expect(
      whenEvaluatedAt(givenWorker(), 51, { windows: parseMaintenanceWindows("Wed 10:30-11:00 UTC") }),
    ).toEqual(skip("maintenance-window"));
    expect(
      whenEvaluatedAt(givenWorker(), 51, { windows: parseMaintenanceWindows("Wed 10:00-10:51 UTC") }),
    ).toEqual(stop(at(5), 46));
  });

  it("gives the most specific reason when several hold: exempt, snoozed, cml-unknown, labs-running, window", () => {
    const windows = parseMaintenanceWindows("daily 00:00-24:00");
    const state = givenWorker();
    const nodes = { ...state, cmlMetrics: { ...state.cmlMetrics, runningNodes: 2 } };
    expect(whenEvaluatedAt(nodes, 51, { windows })).toEqual(skip("labs-running"));
    const stale = { ...nodes, cmlMetrics: { ...nodes.cmlMetrics, lastSyncedAt: at(40) } };
    expect(whenEvaluatedAt(stale, 51, { windows })).toEqual(skip("cml-unknown"));
    expect(whenEvaluatedAt({ ...stale, tags: { "cml:idle-stop": "OFF" } }, 51, { windows })).toEqual(
      skip("exempt"),
    );
  });
});
