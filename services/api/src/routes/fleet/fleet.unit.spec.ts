import { describe, expect, it } from "vitest";
import { createTestApp } from "../../app/create-test-app.ts";
import { aWorkerState } from "../../testing/worker-state-builder.ts";

describe("GET /api/v1/fleet/summary", () => {
  it("counts the fleet and names each source's configured collection interval", async () => {
    const t = createTestApp({
      now: () => new Date("2026-11-25T12:00:00.000Z"),
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
    });
  });

  it("needs a token", async () => {
    const t = createTestApp();
    expect((await t.app.request("/api/v1/fleet/summary")).status).toBe(401);
  });
});
