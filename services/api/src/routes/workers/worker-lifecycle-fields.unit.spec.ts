import type { WorkerState } from "@cml-telemetry/contracts";
import { parseMaintenanceWindows } from "@cml-telemetry/lifecycle";
import { describe, expect, it } from "vitest";
import type { AppSettings } from "../../app/app-deps.ts";
import { createTestApp, type TestApp } from "../../app/create-test-app.ts";
import { givenPrice } from "../../testing/price-entry.ts";
import { aWorkerState } from "../../testing/worker-state-builder.ts";

async function viewOf(t: TestApp, worker: WorkerState): Promise<Record<string, unknown>> {
  const response = await t.app.request(`/api/v1/workers/${worker.id}`, { headers: t.auth("viewer") });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe("worker cost (GET /api/v1/workers/:id)", () => {
  it("matches a hand computation for a worker with a known schedule", async () => {
    // November 2026, m5zn.metal in us-east-1 at $3.9641/h:
    // ran 08:00–18:00 on the 2nd (10 h) and 09:00–12:30 on the 3rd (3.5 h): 13.5 h closed = 48,600 s;
    // stopped by the idle policy 12:30 on the 3rd until 09:00 on the 4th: 20.5 h saved = 73,800 s;
    // running again since 09:00 on the 4th; now 11:00 on the 4th: 2 h open.
    // Running 15.5 h × 3.9641 = 61.44355 → 61.44; saved 20.5 h × 3.9641 = 81.26405 → 81.26.
    const t = createTestApp({ now: () => new Date("2026-11-04T11:00:00.000Z") });
    givenPrice(t.prices, "us-east-1", "m5zn.metal", 3.9641);
    const worker = aWorkerState({
      instanceType: "m5zn.metal",
      runningSince: "2026-11-04T09:00:00.000Z",
      usage: { month: "2026-11", runningSeconds: 48_600, idleStopSavedSeconds: 73_800 },
      idleStoppedAt: null,
    });
    t.readModel.upsert(worker);
    expect((await viewOf(t, worker)).cost).toEqual({
      hourly_usd: 3.9641,
      running_hours_month_to_date: 15.5,
      month_to_date_usd: 61.44,
      saved_by_idle_stop_usd_month_to_date: 81.26,
    });
    const list = (await (await t.app.request("/api/v1/workers", { headers: t.auth("viewer") })).json()) as {
      items: Array<{ cost: unknown }>;
    };
    expect(list.items[0]?.cost).toEqual((await viewOf(t, worker)).cost);
  });

  it("counts only this UTC month, the open running and idle-stop intervals up to now", async () => {
    // Running since 22:00 on 31 October; at 03:00 on 1 November only 3 h are November's.
    const t = createTestApp({ now: () => new Date("2026-11-01T03:00:00.000Z") });
    givenPrice(t.prices, "us-east-1", "m5zn.metal", 4);
    const running = aWorkerState({
      runningSince: "2026-10-31T22:00:00.000Z",
      usage: { month: "2026-10", runningSeconds: 500_000, idleStopSavedSeconds: 9_000 },
    });
    // Stopped by the idle policy at 01:30 on 1 November: 1.5 h saved so far, nothing running.
    const idleStopped = aWorkerState({ status: "STOPPED", idleStoppedAt: "2026-11-01T01:30:00.000Z" });
    t.readModel.upsert(running);
    t.readModel.upsert(idleStopped);
    expect((await viewOf(t, running)).cost).toEqual({
      hourly_usd: 4,
      running_hours_month_to_date: 3,
      month_to_date_usd: 12,
      saved_by_idle_stop_usd_month_to_date: 0,
    });
    expect((await viewOf(t, idleStopped)).cost).toEqual({
      hourly_usd: 4,
      running_hours_month_to_date: 0,
      month_to_date_usd: 0,
      saved_by_idle_stop_usd_month_to_date: 6,
    });
  });

  it("shows null money while the price is unknown, never a guess, and the price once KV holds it", async () => {
    const t = createTestApp({ now: () => new Date("2026-11-25T12:00:00.000Z") });
    const worker = aWorkerState({ runningSince: "2026-11-25T10:00:00.000Z" });
    t.readModel.upsert(worker);
    expect((await viewOf(t, worker)).cost).toEqual({
      hourly_usd: null,
      running_hours_month_to_date: 2,
      month_to_date_usd: null,
      saved_by_idle_stop_usd_month_to_date: null,
    });
    givenPrice(t.prices, "us-west-2", "m5zn.metal", 4.5);
    expect((await viewOf(t, worker)).cost).toMatchObject({ hourly_usd: null });
    givenPrice(t.prices, "us-east-1", "m5zn.metal", 4.5);
    expect((await viewOf(t, worker)).cost).toMatchObject({ hourly_usd: 4.5, month_to_date_usd: 9 });
    const untyped = aWorkerState({ instanceType: null, runningSince: "2026-11-25T10:00:00.000Z" });
    t.readModel.upsert(untyped);
    expect((await viewOf(t, untyped)).cost).toMatchObject({ hourly_usd: null, month_to_date_usd: null });
  });
});

describe("worker lifecycle fields (GET /api/v1/workers/:id)", () => {
  it("shows who stopped or terminated it and its last lifecycle action, in snake_case", async () => {
    const t = createTestApp();
    const worker = aWorkerState({
      status: "TERMINATED",
      terminatedAt: "2026-11-25T11:00:00.000Z",
      terminatedBy: "ops-team",
      stoppedBy: "idle-policy",
      lastLifecycleAction: {
        action: "terminate",
        requestedBy: "ops-team",
        reason: "operator",
        dryRun: false,
        outcome: "accepted",
        requestId: "trace-9",
        at: "2026-11-25T10:59:00.000Z",
      },
    });
    t.readModel.upsert(worker);
    expect(await viewOf(t, worker)).toMatchObject({
      terminated_by: "ops-team",
      stopped_by: "idle-policy",
      last_lifecycle_action: {
        action: "terminate",
        requested_by: "ops-team",
        reason: "operator",
        dry_run: false,
        outcome: "accepted",
        request_id: "trace-9",
        at: "2026-11-25T10:59:00.000Z",
      },
    });
  });

  it("judges the idle policy with the API's IDLE_STOP_* settings and CML interval", async () => {
    const now = new Date("2026-11-25T12:00:00.000Z"); // a Wednesday
    const base = aWorkerState();
    const idle = aWorkerState({
      runningSince: "2026-11-25T08:00:00.000Z",
      lastActivityAt: "2026-11-25T11:00:00.000Z",
      activeLabsCount: 0,
      cmlMetrics: {
        ...base.cmlMetrics,
        ready: true,
        runningLabsCount: 0,
        runningNodes: 0,
        lastSyncedAt: "2026-11-25T11:58:30.000Z",
      },
    });
    const policyOf = async (settings: Partial<AppSettings>) => {
      const t = createTestApp({ now: () => now, settings });
      t.readModel.upsert(idle);
      return (await viewOf(t, idle)).idle_policy;
    };
    expect(await policyOf({})).toEqual({ mode: "off", state: "off", skip_reason: null });
    expect(await policyOf({ idleStopMode: "on" })).toEqual({
      mode: "on",
      state: "will-stop",
      skip_reason: null,
    });
    expect(await policyOf({ idleStopMode: "dry-run", idleThresholdMinutes: 90 })).toEqual({
      mode: "dry-run",
      state: "not-idle",
      skip_reason: null,
    });
    // Synced 90 s ago: fresh when CML is collected every 60 s (fresh for 2 × 60 s), stale every 30 s.
    expect(
      await policyOf({ idleStopMode: "on", collectIntervalsSeconds: { ec2: 60, cloudwatch: 60, cml: 30 } }),
    ).toMatchObject({ state: "skipped", skip_reason: "cml-unknown" });
    expect(
      await policyOf({ idleStopMode: "on", idleStopWindows: parseMaintenanceWindows("Wed 11:30-12:30 UTC") }),
    ).toMatchObject({ state: "skipped", skip_reason: "maintenance-window" });
  });
});
