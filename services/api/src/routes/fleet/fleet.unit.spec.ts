import { describe, expect, it } from "vitest";
import { createTestApp } from "../../app/create-test-app.ts";
import { givenPrice } from "../../testing/price-entry.ts";
import { aWorkerState } from "../../testing/worker-state-builder.ts";

const NOW = new Date("2026-11-25T12:00:00.000Z");

describe("GET /api/v1/fleet/summary", () => {
  it("counts the fleet by status and names each source's configured collection interval", async () => {
    const t = createTestApp({
      now: () => NOW,
      settings: {
        collectIntervalsSeconds: { ec2: 30, cloudwatch: 300, cml: 120 },
        refreshMinIntervalSeconds: 15,
      },
    });
    t.readModel.upsert(aWorkerState());
    t.readModel.upsert(aWorkerState({ lastActivityAt: "2026-11-25T10:00:00.000Z", activeLabsCount: 0 }));
    t.readModel.upsert(aWorkerState({ status: "STOPPED", serviceStatus: "UNAVAILABLE" }));
    const response = await t.app.request("/api/v1/fleet/summary", { headers: t.auth("viewer") });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      workers: {
        total: 3,
        by_status: {
          PENDING: 0,
          RUNNING: 2,
          STOPPING: 0,
          STOPPED: 1,
          SHUTTING_DOWN: 0,
          TERMINATED: 0,
          UNKNOWN: 0,
        },
        idle: 1,
        can_connect: 2,
      },
      collection_intervals_seconds: { ec2: 30, cloudwatch: 300, cml: 120 },
      stale_after_intervals: 3,
      refresh_min_interval_seconds: 15,
      cost: {
        month: "2026-11",
        month_to_date_usd: 0,
        saved_by_idle_stop_usd_month_to_date: 0,
        workers_with_unknown_price: 3,
      },
    });
  });

  it("sums this month's cost and idle-stop savings of the workers with a known price, and counts the others", async () => {
    const t = createTestApp({ now: () => NOW });
    givenPrice(t.prices, "us-east-1", "m5zn.metal", 3.9641);
    givenPrice(t.prices, "us-west-2", "c5.metal", 4.08);
    // 10 h closed + 2 h open running = 12 h × 3.9641 = 47.5692; 20.5 h saved × 3.9641 = 81.26405.
    t.readModel.upsert(
      aWorkerState({
        usage: { month: "2026-11", runningSeconds: 36_000, idleStopSavedSeconds: 73_800 },
        runningSince: "2026-11-25T10:00:00.000Z",
      }),
    );
    // Stopped by the idle policy 6 h ago after 5 h of running: 5 h × 4.08 = 20.40; 6 h saved × 4.08 = 24.48.
    t.readModel.upsert(
      aWorkerState({
        region: "us-west-2",
        instanceType: "c5.metal",
        status: "STOPPED",
        usage: { month: "2026-11", runningSeconds: 18_000, idleStopSavedSeconds: 0 },
        idleStoppedAt: "2026-11-25T06:00:00.000Z",
      }),
    );
    // Last month's figures count for nothing this month.
    t.readModel.upsert(
      aWorkerState({ usage: { month: "2026-10", runningSeconds: 90_000, idleStopSavedSeconds: 90_000 } }),
    );
    // No price: a running worker counts as unknown; a terminated one that did not run this month does not.
    t.readModel.upsert(
      aWorkerState({ instanceType: "m5.24xlarge", runningSince: "2026-11-25T11:00:00.000Z" }),
    );
    t.readModel.upsert(
      aWorkerState({
        instanceType: "m5.24xlarge",
        status: "TERMINATED",
        terminatedAt: "2026-10-30T00:00:00.000Z",
        usage: { month: "2026-10", runningSeconds: 3_600, idleStopSavedSeconds: 0 },
      }),
    );
    const body = (await (
      await t.app.request("/api/v1/fleet/summary", { headers: t.auth("viewer") })
    ).json()) as { cost: unknown; workers: { by_status: Record<string, number> } };
    expect(body.cost).toEqual({
      month: "2026-11",
      month_to_date_usd: 67.97,
      saved_by_idle_stop_usd_month_to_date: 105.74,
      workers_with_unknown_price: 1,
    });
    expect(body.workers.by_status).toMatchObject({ RUNNING: 3, STOPPED: 1, TERMINATED: 1 });
  });

  it("needs a token", async () => {
    const t = createTestApp();
    expect((await t.app.request("/api/v1/fleet/summary")).status).toBe(401);
  });
});
