import {
  DOMAIN_EVENT_NAMES,
  LIFECYCLE_ACTIONS,
  LIFECYCLE_EVENT_NAMES,
  WORKER_STATUSES,
} from "@cml-telemetry/contracts";
import { describe, expect, it } from "vitest";
import { aWorkerState } from "../../testing/worker-state-builder.ts";
import { aWorkerViewContext } from "../../testing/worker-view-context.ts";
import { costView } from "../../workers/cost-view.ts";
import { toWorkerView } from "../../workers/worker-view.ts";

type Action = "start" | "stop" | "terminate";
interface CryptoLike {
  randomUUID?: () => string;
  getRandomValues(array: Uint8Array): Uint8Array;
}
interface LifecycleModel {
  LIFECYCLE_ACTIONS: readonly Action[];
  LIFECYCLE_EVENTS: Record<Action, string>;
  allowedActions(status: string): Record<Action, boolean>;
  transitionText(status: string): string;
  describeIdlePolicy(policy: { mode: string; state: string; skip_reason: string | null }): string;
  describeLastAction(last: ReturnType<typeof toWorkerView>["last_lifecycle_action"]): string;
  describeCost(cost: ReturnType<typeof costView>): string;
  describeOutcome(action: Action, data: Record<string, unknown>): string;
  formatUsd(value: number | null): string;
  newRequestId(crypto: CryptoLike): string;
}

// The dashboard's browser modules, loaded as-is (plain ES modules without a build step).
const model = (await import(
  new URL("../../../public/js/lifecycle-model.js", import.meta.url).href
)) as LifecycleModel;
const feed = (await import(new URL("../../../public/js/live-feed.js", import.meta.url).href)) as {
  DOMAIN_EVENT_NAMES: string[];
};

describe("dashboard lifecycle model", () => {
  it("listens to every domain event of the contracts, lifecycle outcomes included", () => {
    expect([...feed.DOMAIN_EVENT_NAMES].sort()).toEqual([...DOMAIN_EVENT_NAMES].sort());
  });

  it("names the actions and their outcome events as the contracts do", () => {
    expect(model.LIFECYCLE_ACTIONS).toEqual(LIFECYCLE_ACTIONS);
    expect(model.LIFECYCLE_EVENTS).toEqual(LIFECYCLE_EVENT_NAMES);
  });

  it("offers start to a stopped worker, stop to a running one, terminate to any not on its way out", () => {
    const offered = Object.fromEntries(
      WORKER_STATUSES.map((status) => [
        status,
        Object.entries(model.allowedActions(status))
          .filter(([, allowed]) => allowed)
          .map(([action]) => action),
      ]),
    );
    expect(offered).toEqual({
      PENDING: ["terminate"],
      RUNNING: ["stop", "terminate"],
      STOPPING: ["terminate"],
      STOPPED: ["start", "terminate"],
      SHUTTING_DOWN: [],
      TERMINATED: [],
      UNKNOWN: ["terminate"],
    });
  });

  it("says when a worker is on its way somewhere", () => {
    expect(WORKER_STATUSES.map((status) => model.transitionText(status))).toEqual([
      "Starting…",
      "",
      "Stopping…",
      "",
      "Shutting down…",
      "",
      "",
    ]);
  });

  it("reads the idle policy, the last action and the cost of the API's worker view", () => {
    expect(model.describeIdlePolicy({ mode: "off", state: "off", skip_reason: null })).toBe("off");
    expect(model.describeIdlePolicy({ mode: "on", state: "skipped", skip_reason: "labs-running" })).toBe(
      "on: left running: labs running",
    );
    expect(model.describeIdlePolicy({ mode: "dry-run", state: "will-stop", skip_reason: null })).toBe(
      "dry-run: would stop it (dry run)",
    );
    const worker = toWorkerView(
      aWorkerState({
        lastLifecycleAction: {
          action: "stop",
          requestedBy: "idle-policy",
          reason: "idle-policy",
          dryRun: true,
          outcome: "dry-run",
          requestId: "r-1",
          at: "2026-11-25T11:00:00.000Z",
        },
      }),
      new Date("2026-11-25T12:00:00.000Z"),
      aWorkerViewContext(),
    );
    expect(model.describeLastAction(worker.last_lifecycle_action)).toBe(
      "stop by idle-policy (idle-policy, dry run): dry-run",
    );
    expect(model.describeLastAction(null)).toBe("none");
    const now = new Date("2026-11-04T11:00:00.000Z");
    const usage = { month: "2026-11", runningSeconds: 48_600, idleStopSavedSeconds: 0 };
    const state = { usage, runningSince: "2026-11-04T09:00:00.000Z", idleStoppedAt: null };
    expect(model.describeCost(costView(state, 3.9641, now))).toBe("$61.44 (15.5 h at $3.9641/h)");
    expect(model.describeCost(costView(state, null, now))).toBe("price unknown (15.5 h running)");
    expect(model.formatUsd(1234.5)).toBe("$1,234.50");
    expect(model.formatUsd(null)).toBe("—");
  });

  it("tells the operator what became of the request", () => {
    expect(
      model.describeOutcome("stop", {
        outcome: "accepted",
        previousState: "running",
        currentState: "stopping",
      }),
    ).toBe("EC2 accepted the stop: running → stopping.");
    expect(
      model.describeOutcome("terminate", {
        outcome: "rejected",
        errorType: "unauthorized",
        errorMessage: "You are not authorized to perform this operation.",
      }),
    ).toBe("EC2 refused the terminate: unauthorized: You are not authorized to perform this operation.");
    expect(model.describeOutcome("start", { outcome: "already", currentState: "running" })).toBe(
      "Nothing to do: the instance is already running.",
    );
  });

  it("makes request ids the API takes as X-Request-Id, with or without randomUUID", () => {
    const valid = /^[A-Za-z0-9._:-]{1,128}$/;
    expect(model.newRequestId(globalThis.crypto)).toMatch(valid);
    const insecure: CryptoLike = { getRandomValues: (array) => globalThis.crypto.getRandomValues(array) };
    const id = model.newRequestId(insecure);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(model.newRequestId(insecure)).not.toBe(id);
  });
});
