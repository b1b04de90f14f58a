import { describe, expect, it } from "vitest";
import { aWorkerState } from "../../testing/worker-state-builder.ts";
import { aWorkerViewContext } from "../../testing/worker-view-context.ts";
import { toWorkerView, type WorkerView } from "../../workers/worker-view.ts";

type Freshness = "fresh" | "stale" | "failing" | "never" | "idle-source";
type Source = "ec2" | "cloudwatch" | "cml";
interface FreshnessRules {
  intervals: Record<Source, number>;
  staleAfter: number;
}
interface FleetModel {
  DEFAULT_FRESHNESS_RULES: FreshnessRules;
  freshnessRulesOf(summary: {
    collection_intervals_seconds: Record<Source, number>;
    stale_after_intervals: number;
  }): FreshnessRules;
  sourceFreshness(worker: WorkerView, source: Source, nowMs: number, rules?: FreshnessRules): Freshness;
  summarize(workers: WorkerView[], nowMs: number): Record<string, number>;
  matchesFilters(
    worker: WorkerView,
    filters: { region: string; status: string; idle: string; text: string },
  ): boolean;
  comparator(order: { key: string; descending: boolean }): (a: WorkerView, b: WorkerView) => number;
}

// The dashboard's browser module, loaded as-is (plain ES module without a build step).
const modelUrl = new URL("../../../public/js/fleet-model.js", import.meta.url).href;
const model = (await import(modelUrl)) as FleetModel;

const NOW = Date.parse("2026-11-25T12:00:00.000Z");
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

function worker(overrides: Parameters<typeof aWorkerState>[0] = {}): WorkerView {
  return toWorkerView(aWorkerState(overrides), new Date(NOW), aWorkerViewContext());
}

function withCloudWatch(lastCollectedAt: string, periodSeconds: number): WorkerView {
  const base = aWorkerState();
  return worker({
    cloudwatchMetrics: { ...base.cloudwatchMetrics, lastCollectedAt, periodSeconds, cpuUtilization: 10 },
  });
}

describe("source freshness", () => {
  it("is stale after three collection intervals: 3 × 60 s for EC2", () => {
    const base = aWorkerState();
    const at = (seconds: number) =>
      worker({ ec2Metrics: { ...base.ec2Metrics, lastCheckedAt: ago(seconds) } });
    expect(model.sourceFreshness(at(179), "ec2", NOW)).toBe("fresh");
    expect(model.sourceFreshness(at(181), "ec2", NOW)).toBe("stale");
  });

  it("uses 3 × the datapoint period for CloudWatch", () => {
    expect(model.sourceFreshness(withCloudWatch(ago(600), 300), "cloudwatch", NOW)).toBe("fresh");
    expect(model.sourceFreshness(withCloudWatch(ago(901), 300), "cloudwatch", NOW)).toBe("stale");
    expect(model.sourceFreshness(withCloudWatch(ago(181), 60), "cloudwatch", NOW)).toBe("stale");
  });

  it("uses each source's configured collection interval from the fleet summary", () => {
    const base = aWorkerState();
    const synced = worker({ cmlMetrics: { ...base.cmlMetrics, lastSyncedAt: ago(300) } });
    expect(model.sourceFreshness(synced, "cml", NOW)).toBe("stale");
    const rules = model.freshnessRulesOf({
      collection_intervals_seconds: { ec2: 30, cloudwatch: 600, cml: 600 },
      stale_after_intervals: 3,
    });
    expect(model.sourceFreshness(synced, "cml", NOW, rules)).toBe("fresh");
    const checked = worker({ ec2Metrics: { ...base.ec2Metrics, lastCheckedAt: ago(91) } });
    expect(model.sourceFreshness(checked, "ec2", NOW, rules)).toBe("stale");
    expect(model.sourceFreshness(withCloudWatch(ago(1_700), 60), "cloudwatch", NOW, rules)).toBe("fresh");
    expect(model.sourceFreshness(withCloudWatch(ago(1_801), 300), "cloudwatch", NOW, rules)).toBe("stale");
    expect(model.DEFAULT_FRESHNESS_RULES).toEqual({
      intervals: { ec2: 60, cloudwatch: 60, cml: 60 },
      staleAfter: 3,
    });
  });

  it("is failing when the last error is newer than the last success", () => {
    const base = aWorkerState();
    const failing = worker({
      cmlMetrics: {
        ...base.cmlMetrics,
        lastSyncedAt: ago(120),
        lastError: { type: "unreachable", message: "connect ECONNREFUSED", at: ago(10) },
      },
    });
    expect(model.sourceFreshness(failing, "cml", NOW)).toBe("failing");
  });

  it("does not call sources stale that are not collected for a stopped worker", () => {
    const stopped = worker({ status: "STOPPED" });
    expect(model.sourceFreshness(stopped, "cloudwatch", NOW)).toBe("idle-source");
    expect(model.sourceFreshness(stopped, "cml", NOW)).toBe("idle-source");
    expect(model.sourceFreshness(stopped, "ec2", NOW)).toBe("never");
  });
});

describe("fleet summary, filters and order", () => {
  it("counts running, stopped, available and stale sources", () => {
    const counts = model.summarize(
      [worker(), worker({ status: "STOPPED", serviceStatus: "UNAVAILABLE" }), withCloudWatch(ago(1000), 60)],
      NOW,
    );
    expect(counts).toMatchObject({ total: 3, running: 2, stopped: 1, available: 2, staleSources: 1 });
  });

  it("filters by region, status and text", () => {
    const west = worker({ region: "us-west-2", name: "lab-west" });
    const none = { region: "", status: "", idle: "", text: "" };
    expect(model.matchesFilters(west, { ...none, region: "us-west-2" })).toBe(true);
    expect(model.matchesFilters(west, { ...none, region: "eu-west-1" })).toBe(false);
    expect(model.matchesFilters(west, { ...none, status: "STOPPED" })).toBe(false);
    expect(model.matchesFilters(west, { ...none, text: "WEST" })).toBe(true);
    expect(model.matchesFilters(west, { ...none, idle: "true" })).toBe(false);
  });

  it("sorts by CPU descending with unknown values last", () => {
    const low = withCloudWatch(ago(10), 60);
    low.cloudwatch_metrics.cpu_utilization = 5;
    const high = withCloudWatch(ago(10), 60);
    high.cloudwatch_metrics.cpu_utilization = 90;
    const unknown = worker();
    const sorted = [low, unknown, high].sort(model.comparator({ key: "cpu", descending: true }));
    expect(sorted.map((w) => w.cloudwatch_metrics.cpu_utilization)).toEqual([90, 5, null]);
  });
});
