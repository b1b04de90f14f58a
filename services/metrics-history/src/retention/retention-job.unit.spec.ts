import { createEmbeddedStore, type WorkerMetricsStore } from "@cml-telemetry/history-store";
import { type OpsPublisher, silentLogger } from "@cml-telemetry/messaging";
import { afterEach, describe, expect, it } from "vitest";
import { RETENTION_JOB_NAME, type RetentionJob, startRetentionJob } from "./retention-job.ts";

const now = new Date("2026-11-25T12:00:00.000Z");
const daysAgo = (days: number): Date => new Date(now.getTime() - days * 86_400_000);

function recordingOps(): { ops: OpsPublisher; events: Array<[string, Record<string, unknown>]> } {
  const events: Array<[string, Record<string, unknown>]> = [];
  const ops: OpsPublisher = {
    jobStarted: (data) => events.push(["started", data]),
    jobCompleted: (data) => events.push(["completed", data]),
    jobFailed: (data) => events.push(["failed", data]),
    connectionEstablished: () => undefined,
    connectionClosed: () => undefined,
    dropped: () => 0,
    flush: async () => undefined,
  };
  return { ops, events };
}

describe("startRetentionJob", () => {
  let job: RetentionJob | undefined;
  afterEach(async () => {
    await job?.stop();
  });

  it("removes expired samples at start and reports started/completed with the count", async () => {
    const store = createEmbeddedStore({ retentionDays: 30 });
    const meta = { workerId: "w-1", region: "us-east-1", source: "cloudwatch" as const };
    await store.addSamples([
      { id: "old", timestamp: daysAgo(40), meta, cpu: 1 },
      { id: "new", timestamp: daysAgo(1), meta, cpu: 2 },
    ]);
    const { ops, events } = recordingOps();
    job = startRetentionJob({ store, ops, logger: silentLogger, intervalSeconds: 3600, now: () => now });
    await job.runNow();
    expect((await store.stats()).samples).toBe(1);
    expect(events[0]).toEqual(["started", { jobId: expect.any(String), jobName: RETENTION_JOB_NAME }]);
    expect(events[1]).toEqual([
      "completed",
      expect.objectContaining({
        jobName: RETENTION_JOB_NAME,
        entriesProcessed: 1,
        jobId: events[0]?.[1].jobId,
      }),
    ]);
  });

  it("reports a failed run without throwing", async () => {
    const store: WorkerMetricsStore = {
      ...createEmbeddedStore({ retentionDays: 30 }),
      enforceRetention: async () => {
        throw new Error("TTL index missing and cannot be created");
      },
    };
    const { ops, events } = recordingOps();
    job = startRetentionJob({ store, ops, logger: silentLogger, intervalSeconds: 3600, now: () => now });
    await expect(job.runNow()).resolves.toBe(0);
    expect(events.at(-1)).toEqual([
      "failed",
      expect.objectContaining({
        jobName: RETENTION_JOB_NAME,
        errorMessage: "TTL index missing and cannot be created",
      }),
    ]);
  });
});
