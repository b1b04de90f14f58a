import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { useAwsCollectorTestBed } from "@cml-telemetry/aws/testing";
import {
  type CloudwatchMetrics,
  parseEventData,
  telemetry,
  type WorkerState,
} from "@cml-telemetry/contracts";
import { type AgentConfig, ASG_NAME_TAG, memoryAt } from "@cml-telemetry/fleet-sim";
import { createOpsPublisher, silentLogger } from "@cml-telemetry/messaging";
import { createMetrics } from "@cml-telemetry/observability";
import { publishCollectCommands } from "@cml-telemetry/scheduling";
import { newInstanceId, putWorker } from "@cml-telemetry/scheduling/testing";
import { waitFor } from "@cml-telemetry/testing";
import { jetstream } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { type CollectorCloudWatch, startCollectorCloudWatch } from "./start-collector-cloudwatch.ts";

const REGIONS = ["us-east-1", "eu-west-1"];
let clockOffsetMs = 0;
let nextSlot = 1_764_072_000;
const bed = useAwsCollectorTestBed({
  regions: REGIONS,
  fleetNow: () => Date.now() + clockOffsetMs,
  onReset: () => {
    clockOffsetMs = 0;
  },
  checkEvent: (event) => {
    if (event.type.startsWith("io.cml-telemetry.cloudwatch.")) {
      expect(event.source).toBe("/cml-telemetry/collector-cloudwatch");
    }
  },
});

function cloudWatchClients(maxAttempts = 2): Map<string, CloudWatchClient> {
  return bed.regionClients((config) => new CloudWatchClient(config), maxAttempts);
}

async function startCollector(
  overrides: Partial<Parameters<typeof startCollectorCloudWatch>[0]> = {},
): Promise<CollectorCloudWatch> {
  const collector = await startCollectorCloudWatch({
    nc: bed.nc,
    topology: bed.topology,
    logger: silentLogger,
    ops: createOpsPublisher({ nc: bed.nc, service: "collector-cloudwatch", logger: silentLogger }),
    clients: cloudWatchClients(),
    intervalSeconds: 60,
    schedule: false,
    throttleBackoff: { retries: 1, baseDelayMs: 20 },
    ...overrides,
  });
  return bed.track(collector);
}

/** A running worker in the simulator and in KV (as worker-aggregate would hold it after discovery). */
async function addWorker(
  region: string,
  options: {
    agent?: AgentConfig;
    detailed?: boolean;
    status?: WorkerState["status"];
    cpu?: number;
    tags?: Record<string, string>;
  } = {},
): Promise<WorkerState> {
  const instance = bed.fleet.add({
    instanceId: newInstanceId(),
    region,
    state: options.status === "STOPPED" ? "stopped" : "running",
    launchTime: Date.now() - 2 * 3_600_000,
    agent: options.agent ?? "instance-id",
    detailedMonitoring: options.detailed ?? false,
    cpuOverride: options.cpu ?? null,
    tags: { "cml:worker": "true", ...options.tags },
  });
  return await putWorker(bed.kv, region, instance.instanceId, {
    status: options.status ?? "RUNNING",
    detailedMonitoring: options.detailed ?? false,
    instanceType: instance.instanceType,
    amiId: instance.imageId,
  });
}

/** The simulator's value for a period: the average of its 1-minute memory datapoints. */
function simulatedMemory(
  instanceId: string,
  datapointAt: string | null | undefined,
  periodSeconds: number,
): number {
  const start = Date.parse(datapointAt ?? "") / 1000;
  const minutes = Array.from({ length: periodSeconds / 60 }, (_, i) => memoryAt(instanceId, start + i * 60));
  return minutes.reduce((sum, value) => sum + value, 0) / minutes.length;
}

/**
 * Checks a 5-minute memory value: CloudWatch averages the 1-minute datapoints the agent's series has published so
 * far, and the last minute of the newest whole period may still be unpublished (1–2 minutes late), so the value is
 * the average of the period's first 4 or all 5 minutes.
 */
function expectFiveMinuteMemory(
  value: number | null | undefined,
  instanceId: string,
  datapointAt?: string | null,
) {
  const averages = [300, 240].map((seconds) => simulatedMemory(instanceId, datapointAt, seconds));
  expect(
    averages.some((average) => Math.abs(average - (value ?? Number.NaN)) < 1e-6),
    `${value} is none of ${averages.join(", ")}`,
  ).toBe(true);
}

/** Publishes one slot's scheduled commands as every replica's ticker would (deduplicated by msg-id). */
async function publishSlot(workers: readonly WorkerState[], publishers = 1): Promise<number> {
  nextSlot += 300;
  for (let i = 0; i < publishers; i++) {
    await publishCollectCommands({
      js: jetstream(bed.nc),
      service: "collector-cloudwatch",
      source: "cloudwatch",
      targets: workers.map((w) => ({ workerId: w.id, region: w.region, instanceId: w.instanceId })),
      reason: "schedule",
      slot: nextSlot,
    });
  }
  return nextSlot;
}

function metricsOf(workerId: string): CloudwatchMetrics[] {
  return bed.capture
    .of(telemetry.cloudwatchMetrics.type, workerId)
    .map((e) => parseEventData(telemetry.cloudwatchMetrics, e));
}

function getMetricDataCalls(): number {
  return bed.sim.calls().byAction["cloudwatch:GetMetricData"] ?? 0;
}

describe("metrics", () => {
  it("reads memory under both agent dimension sets, null without an agent, CPU at the monitoring period", async () => {
    const plain = await addWorker("us-east-1", { agent: "instance-id", cpu: 42 });
    const appended = await addWorker("us-east-1", { agent: "instance-image-type", detailed: true });
    const noAgent = await addWorker("eu-west-1", { agent: "none" });
    const metrics = await createMetrics({ service: "collector-cloudwatch", port: 0 });
    const collector = await startCollector({ meter: metrics.meter });
    await publishSlot([plain, appended, noAgent]);
    await waitFor(() => [plain, appended, noAgent].every((w) => metricsOf(w.id).length === 1), {
      what: "metrics",
    });
    const [a, b, c] = [plain, appended, noAgent].map((w) => metricsOf(w.id)[0] as CloudwatchMetrics);
    expect(a).toMatchObject({
      cpuUtilization: 42,
      periodSeconds: 300,
      detailedMonitoring: false,
      stale: false,
    });
    expectFiveMinuteMemory(a?.memoryUtilization, plain.instanceId, a?.memoryDatapointAt);
    expect(b).toMatchObject({ periodSeconds: 60, detailedMonitoring: true, stale: false });
    expect(b?.memoryUtilization).toBeCloseTo(
      simulatedMemory(appended.instanceId, b?.memoryDatapointAt, 60),
      6,
    );
    expect(b?.memoryDatapointAt).not.toBeNull();
    expect(c?.memoryUtilization).toBeNull();
    expect(c?.memoryDatapointAt).toBeNull();
    expect(c?.cpuUtilization).toEqual(expect.any(Number));
    // Datapoints carry their own time: 1-minute data at most ~3 minutes old, 5-minute data at most ~11.
    expect(Date.now() - Date.parse(b?.datapointAt ?? "")).toBeLessThan(4 * 60_000);
    expect(Date.now() - Date.parse(a?.datapointAt ?? "")).toBeLessThan(12 * 60_000);
    // One call per region; memory only where the agent publishes it; the self-metric matches AWS's count.
    expect(getMetricDataCalls()).toBe(2);
    expect(bed.sim.calls().metricQueries).toBe(5);
    expect(collector.metricsRequested()).toBe(5);
    const text = await metrics.scrape();
    const requested = [...text.matchAll(/^cloudwatch_metrics_requested_total\{[^}]*\} (\d+)/gm)].map((m) =>
      Number(m[1]),
    );
    expect(requested.reduce((a, b) => a + b, 0)).toBe(5);
    expect(text).toMatch(/aws_calls_total\{[^}]*action="GetMetricData"[^}]*\} 1/);
    await metrics.close();
    expect((bed.sim.calls().byAction["cloudwatch:ListMetrics"] ?? 0) >= 2).toBe(true);
  });

  it("marks a datapoint older than expected as stale", async () => {
    clockOffsetMs = -20 * 60_000;
    const worker = await addWorker("us-east-1", { detailed: true });
    bed.fleet.update(worker.instanceId, { state: "stopped" });
    clockOffsetMs = 0;
    await startCollector();
    await publishSlot([worker]);
    await waitFor(() => metricsOf(worker.id).length === 1, { what: "metrics" });
    const data = metricsOf(worker.id)[0];
    expect(data?.stale).toBe(true);
    expect(Date.now() - Date.parse(data?.datapointAt ?? "")).toBeGreaterThan(19 * 60_000);
  });
});

describe("gating", () => {
  it("never queries CloudWatch for a stopped worker, at scheduling or in the handler", async () => {
    const up = await addWorker("us-east-1");
    const down = await addWorker("us-east-1", { status: "STOPPED" });
    const collector = await startCollector({ schedule: true, directoryCheckMs: 50 });
    await waitFor(() => metricsOf(up.id).length >= 1, { what: "running worker collected at start" });
    // A command for the stopped worker (a stale schedule, a refresh) is dropped by the handler.
    await publishCollectCommands({
      js: jetstream(bed.nc),
      service: "collector-cloudwatch",
      source: "cloudwatch",
      targets: [{ workerId: down.id, region: down.region, instanceId: down.instanceId }],
      reason: "refresh",
      correlationId: "req-2",
    });
    await collector.scheduler?.publishSlot(nextSlot + 600);
    await waitFor(() => metricsOf(up.id).length >= 2, { what: "second slot" });
    expect(bed.capture.of(telemetry.cloudwatchMetrics.type, down.id)).toEqual([]);
    // Every query sent was for the running worker (CPU + memory per collection; a real slot may add one).
    expect(bed.sim.calls().metricQueries).toBe(2 * metricsOf(up.id).length);
    // When it starts running, it is collected in the current slot without waiting for the next one. (Just before a
    // slot boundary the next slot's tick may collect it a second time: this test's KV never records a collection.)
    await putWorker(bed.kv, down.region, down.instanceId, { status: "RUNNING" });
    bed.fleet.update(down.instanceId, { state: "running" });
    await waitFor(() => metricsOf(down.id).length >= 1, { what: "newly running worker" });
  });
});

describe("failures", () => {
  it("survives throttling for two cycles and recovers the values", async () => {
    const east = await addWorker("us-east-1", { cpu: 17 });
    const west = await addWorker("eu-west-1", { cpu: 23 });
    // One SDK attempt plus one own retry per cycle: four throttled answers cover two cycles of us-east-1.
    bed.sim.faults.add({
      service: "cloudwatch",
      action: "GetMetricData",
      region: "us-east-1",
      kind: "throttle",
      count: 4,
    });
    await startCollector({ clients: cloudWatchClients(1) });
    for (let cycle = 1; cycle <= 2; cycle++) {
      await publishSlot([east, west]);
      await waitFor(() => bed.capture.of(telemetry.cloudwatchFailed.type, east.id).length === cycle, {
        what: `cycle ${cycle}`,
      });
      await waitFor(() => metricsOf(west.id).length === cycle, { what: `other region, cycle ${cycle}` });
    }
    const failed = parseEventData(
      telemetry.cloudwatchFailed,
      bed.capture.of(telemetry.cloudwatchFailed.type, east.id)[0] as never,
    );
    expect(failed).toMatchObject({ errorType: "Throttled", retryable: true });
    await publishSlot([east, west]);
    await waitFor(() => metricsOf(east.id).length === 1, { what: "recovered" });
    expect(metricsOf(east.id)[0]?.cpuUtilization).toBe(17);
    expect(bed.sim.calls().errors.Throttling).toBe(4);
  });
});

describe("memory dimensions", () => {
  it("costs memory only while ListMetrics fails: CPU is read, memory names the error, then memory is read", async () => {
    const worker = await addWorker("eu-west-1", { agent: "instance-image-type", cpu: 33 });
    bed.sim.faults.add({ service: "cloudwatch", action: "ListMetrics", kind: "error", count: 1 });
    await startCollector({ clients: cloudWatchClients(1) });
    await publishSlot([worker]);
    await waitFor(() => metricsOf(worker.id).length === 1, { what: "CPU without memory" });
    expect(metricsOf(worker.id)[0]).toMatchObject({
      cpuUtilization: 33,
      memoryUtilization: null,
      memoryError: { errorType: "AwsError" },
    });
    expect(bed.capture.of(telemetry.cloudwatchFailed.type, worker.id)).toEqual([]);
    await publishSlot([worker]);
    await waitFor(() => metricsOf(worker.id).length === 2, { what: "memory read again" });
    const second = metricsOf(worker.id)[1];
    expectFiveMinuteMemory(second?.memoryUtilization, worker.instanceId, second?.memoryDatapointAt);
    expect(second?.memoryError ?? null).toBeNull();
  });

  it("reads memory without ListMetrics permission as CPU only, naming the missing permission", async () => {
    const worker = await addWorker("us-east-1", { agent: "instance-image-type", cpu: 21 });
    bed.sim.faults.add({ service: "cloudwatch", action: "ListMetrics", kind: "deny" });
    const metrics = await createMetrics({ service: "collector-cloudwatch", port: 0 });
    bed.track({ stop: () => metrics.close() });
    await startCollector({ meter: metrics.meter });
    await publishSlot([worker]);
    await waitFor(() => metricsOf(worker.id).length === 1, { what: "CPU" });
    const data = metricsOf(worker.id)[0];
    expect(data).toMatchObject({ cpuUtilization: 21, memoryUtilization: null });
    expect(data?.memoryError?.errorType).toBe("access_denied");
    expect(data?.memoryError?.errorMessage).toContain("cloudwatch:ListMetrics");
    expect(await metrics.scrape()).toMatch(
      /collect_errors_total\{[^}]*scope="memory"[^}]*type="access_denied"[^}]*\} 1|collect_errors_total\{[^}]*type="access_denied"[^}]*scope="memory"[^}]*\} 1/,
    );
  });

  it("reads memory from the agent's current series after a resize, never the old one", async () => {
    const worker = await addWorker("us-east-1", { agent: "instance-image-type", detailed: true });
    const withGroup = await addWorker("us-east-1", {
      agent: "instance-image-type-asg",
      detailed: true,
      tags: { [ASG_NAME_TAG]: "cml-workers" },
    });
    const collector = await startCollector({ now: bed.now, dimensionsRefreshMs: 3_600_000 });
    await publishSlot([worker, withGroup]);
    await waitFor(() => metricsOf(worker.id).length === 1 && metricsOf(withGroup.id).length === 1, {
      what: "memory before the resize",
    });
    const grouped = metricsOf(withGroup.id)[0];
    expect(grouped?.memoryUtilization).toBeCloseTo(
      simulatedMemory(withGroup.instanceId, grouped?.memoryDatapointAt, 60),
      6,
    );
    // Resize: stop, change the type, start; the agent now publishes under the new InstanceType.
    bed.fleet.update(worker.instanceId, { action: "stop" });
    bed.fleet.clock.advance(30_000);
    bed.fleet.update(worker.instanceId, { instanceType: "c5.9xlarge", action: "start" });
    bed.fleet.clock.advance(60_000);
    const restartedAt = bed.now();
    await putWorker(bed.kv, worker.region, worker.instanceId, {
      status: "RUNNING",
      detailedMonitoring: true,
      instanceType: "c5.9xlarge",
      amiId: worker.amiId,
    });
    bed.fleet.clock.advance(5 * 60_000);
    await waitFor(() => collector.directory.get(worker.id)?.instanceType === "c5.9xlarge", {
      what: "the resize in the directory",
    });
    await publishSlot([worker]);
    await waitFor(() => metricsOf(worker.id).length === 2, { what: "memory after the resize" });
    const after = metricsOf(worker.id)[1];
    expect(Date.parse(after?.memoryDatapointAt ?? "")).toBeGreaterThanOrEqual(restartedAt);
    expect(after?.memoryUtilization).toBeCloseTo(
      simulatedMemory(worker.instanceId, after?.memoryDatapointAt, 60),
      6,
    );
    expect(after?.stale).toBe(false);
  });
});

describe("per-result status", () => {
  it("fails a worker whose CPU result is Forbidden or InternalError, and names a failed memory result", async () => {
    const forbidden = await addWorker("us-east-1", { cpu: 11 });
    const brokenMemory = await addWorker("us-east-1", { cpu: 12 });
    const fine = await addWorker("us-east-1", { cpu: 13 });
    bed.sim.faults.add({
      service: "cloudwatch",
      kind: "result-status",
      resultStatus: "Forbidden",
      metricName: "CPUUtilization",
      instanceId: forbidden.instanceId,
    });
    bed.sim.faults.add({
      service: "cloudwatch",
      kind: "result-status",
      resultStatus: "InternalError",
      metricName: "mem_used_percent",
      instanceId: brokenMemory.instanceId,
    });
    await startCollector();
    await publishSlot([forbidden, brokenMemory, fine]);
    await waitFor(
      () =>
        bed.capture.of(telemetry.cloudwatchFailed.type, forbidden.id).length === 1 &&
        metricsOf(brokenMemory.id).length === 1 &&
        metricsOf(fine.id).length === 1,
      { what: "results" },
    );
    expect(
      parseEventData(
        telemetry.cloudwatchFailed,
        bed.capture.of(telemetry.cloudwatchFailed.type, forbidden.id)[0] as never,
      ),
    ).toMatchObject({ errorType: "metric_forbidden" });
    expect(metricsOf(forbidden.id)).toEqual([]);
    expect(metricsOf(brokenMemory.id)[0]).toMatchObject({
      cpuUtilization: 12,
      memoryUtilization: null,
      memoryError: { errorType: "metric_internal_error" },
    });
    expect(metricsOf(fine.id)[0]?.cpuUtilization).toBe(13);
  });

  it("completes PartialData results through NextToken", async () => {
    const workers: WorkerState[] = [];
    for (let i = 0; i < 6; i++) workers.push(await addWorker("eu-west-1", { detailed: true }));
    bed.fleet.setRealism({ maxDatapointsPerCall: 25 });
    await startCollector();
    await publishSlot(workers);
    await waitFor(() => workers.every((w) => metricsOf(w.id).length === 1), { what: "metrics" });
    expect(getMetricDataCalls()).toBeGreaterThan(5);
    for (const worker of workers) {
      const data = metricsOf(worker.id)[0];
      expect(data?.stale).toBe(false);
      expect(data?.memoryUtilization).toBeCloseTo(
        simulatedMemory(worker.instanceId, data?.memoryDatapointAt, 60),
        6,
      );
    }
  });
});

describe("replicas", () => {
  async function cycle(
    replicas: number,
    workers: readonly WorkerState[],
  ): Promise<{ calls: number; queries: number }> {
    await bed.resetTopology();
    for (const w of workers)
      await putWorker(bed.kv, w.region, w.instanceId, {
        status: w.status,
        detailedMonitoring: w.detailedMonitoring,
      });
    const collectors = [];
    for (let i = 0; i < replicas; i++) collectors.push(await startCollector());
    await Promise.all(
      collectors.map((c) => waitFor(() => c.directory.size() === workers.length, { what: "directory" })),
    );
    bed.sim.resetCalls();
    bed.capture.clear();
    await publishSlot(workers, replicas);
    await waitFor(
      () =>
        new Set(bed.capture.of(telemetry.cloudwatchMetrics.type).map((e) => e.subject)).size ===
        workers.length,
      {
        what: "every worker's metrics",
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const result = { calls: getMetricDataCalls(), queries: bed.sim.calls().metricQueries };
    await bed.stopCollectors();
    return result;
  }

  it("two replicas make no more AWS calls per cycle than one", async () => {
    const workers = [];
    for (let i = 0; i < 40; i++)
      workers.push(await addWorker(REGIONS[i % 2] as string, { detailed: i % 3 === 0 }));
    const one = await cycle(1, workers);
    const two = await cycle(2, workers);
    expect(one).toEqual({ calls: 2, queries: 80 });
    expect(two.calls).toBeLessThanOrEqual(one.calls);
    expect(two.queries).toBeLessThanOrEqual(one.queries);
  });
});
