import { correlationIdOf, opsEvents, parseEventData, telemetry } from "@cml-telemetry/contracts";
import { generateCmlLabs } from "@cml-telemetry/fleet-sim";
import { createMetrics } from "@cml-telemetry/observability";
import { describe, expect, it } from "vitest";
import { LAB_STATE_CONCURRENCY } from "./cml-client-factory.ts";
import {
  failedData,
  HARNESS_PASSWORD,
  HARNESS_TOKEN_TTL_SECONDS,
  metricsData,
  present,
  useCollectorCmlHarness,
} from "./testing/collector-cml-harness.ts";

const harness = useCollectorCmlHarness();

describe("collector-cml collecting over real HTTPS and JetStream", () => {
  it("publishes full metrics for a ready controller whose tiles have Cisco's documented shape (labs through the documented calls); the next cycle reuses the token and the licensing status", async () => {
    const { pool } = harness;
    const metrics = await createMetrics({ service: "collector-cml", port: 0 });
    const collector = await harness.start({ metrics });
    const worker = await harness.addWorker({
      labs: generateCmlLabs({ count: 20, started: 3, seed: "ready" }),
    });
    await harness.waitForDirectory(collector, worker.state);

    const [first] = await harness.cycle([worker]);
    expect(present(first).source).toBe("/cml-telemetry/collector-cml");
    expect(present(first).type).toBe(telemetry.cmlMetrics.type);
    expect(metricsData(first)).toMatchObject({
      workerId: worker.key,
      region: "us-east-1",
      instanceId: worker.state.instanceId,
      ready: true,
      version: "2.9.1+build.7",
      uptimeSeconds: null,
      labsCount: 20,
      runningLabsCount: 3,
      licenseStatus: "REGISTERED",
      cpuPercent: 4.17,
      memoryUsedPercent: 16.67,
      diskUsedPercent: 69.09,
      runningNodes: 8,
      systemInfo: { version: "2.9.1+build.7", ready: true },
    });
    expect(pool.calls(worker.key)).toEqual({
      system_information: 1,
      authenticate: 1,
      populate_lab_tiles: 1,
      labs: 1,
      "labs/{id}/state": 20,
      system_stats: 1,
      licensing: 1,
    });
    // Lab states are read a few at a time; every other call waits for the one before.
    expect(pool.maxInFlight(worker.key)).toBeLessThanOrEqual(LAB_STATE_CONCURRENCY);

    pool.resetCalls();
    const [second] = await harness.cycle([worker]);
    expect(metricsData(second)).toMatchObject({ ready: true, labsCount: 20, licenseStatus: "REGISTERED" });
    // The choice of the documented calls is remembered: no second try of populate_lab_tiles.
    expect(pool.calls(worker.key)).toEqual({
      system_information: 1,
      labs: 1,
      "labs/{id}/state": 20,
      system_stats: 1,
    });
    expect(collector.clients.size()).toBe(1);

    const scraped = await metrics.scrape();
    expect(scraped).toMatch(
      /cml_client_calls_total\{[^}]*endpoint="system_information"[^}]*outcome="ok"[^}]*\} 2/,
    );
    expect(scraped).toMatch(/cml_client_authentications_total\{[^}]*outcome="ok"[^}]*\} 1/);
    expect(scraped).toMatch(/cml_client_call_duration_seconds_bucket/);
    expect(scraped).toMatch(/cml_collections_total\{[^}]*result="metrics"[^}]*\} 2/);
    expect(scraped).toMatch(/cml_cached_clients\{[^}]*\} 1/);
    expect(scraped).toMatch(/cml_lab_read_path_changes_total\{[^}]*path="documented"[^}]*\} 1/);
    await metrics.close();

    await harness.waitForIdleConsumer();
    const jobs = harness.received.filter((event) => event.type === opsEvents.jobCompleted.type);
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    expect(parseEventData(opsEvents.jobCompleted, present(jobs.at(-1)))).toMatchObject({
      jobName: "collect-cml",
      entriesProcessed: 1,
    });
  });

  it("reports booting, unready, down and malformed controllers by kind while the healthy one keeps updating", async () => {
    await harness.start();
    const healthy = await harness.addWorker();
    const booting = await harness.addWorker({ mode: "booting" });
    const unready = await harness.addWorker({ ready: false });
    const down = await harness.addWorker({ mode: "down" });
    const malformed = await harness.addWorker({ mode: "malformed" });
    const all = [healthy, booting, unready, down, malformed];

    for (let round = 0; round < 2; round += 1) {
      const [healthyEvent, bootingEvent, unreadyEvent, downEvent, malformedEvent] = await harness.cycle(all);
      expect(metricsData(healthyEvent)).toMatchObject({ ready: true, labsCount: 3 });
      expect(metricsData(bootingEvent)).toMatchObject({
        ready: false,
        version: null,
        labsCount: null,
        systemInfo: null,
      });
      expect(metricsData(unreadyEvent)).toMatchObject({
        ready: false,
        version: "2.9.1+build.7",
        labsCount: null,
      });
      expect(failedData(downEvent)).toMatchObject({ errorType: "CmlUnreachable", retryable: true });
      expect(failedData(malformedEvent)).toMatchObject({ errorType: "CmlBadResponse", retryable: false });
    }
    for (const quiet of [booting, unready]) {
      expect(harness.pool.calls(quiet.key)).toEqual({ system_information: 2 });
    }
    await harness.waitForIdleConsumer();
  });

  it("a controller slower than the timeout fails at the deadline without holding back the others", async () => {
    await harness.start();
    const slow = await harness.addWorker({ mode: "slow", slowMs: 4_000 });
    const healthy = await harness.addWorker();
    const [slowEvent, healthyEvent] = await harness.cycle([slow, healthy]);
    expect(failedData(slowEvent)).toMatchObject({ errorType: "deadline_exceeded", retryable: true });
    expect(metricsData(healthyEvent).ready).toBe(true);
    const arrival = (event: typeof slowEvent) => harness.received.indexOf(present(event));
    expect(arrival(healthyEvent)).toBeLessThan(arrival(slowEvent));
    await harness.waitForIdleConsumer();
    await harness.kv.delete(slow.key);
  });

  it("re-authenticates exactly once when the token expires", async () => {
    const { pool } = harness;
    const collector = await harness.start();
    const worker = await harness.addWorker({ labTiles: "with-lab-fields" });
    await harness.waitForDirectory(collector, worker.state);
    await harness.cycle([worker]);
    expect(pool.calls(worker.key).authenticate).toBe(1);

    harness.advanceClock((HARNESS_TOKEN_TTL_SECONDS + 1) * 1000);
    pool.resetCalls();
    const [event] = await harness.cycle([worker]);
    expect(metricsData(event)).toMatchObject({ ready: true, labsCount: 3 });
    expect(pool.calls(worker.key).authenticate).toBe(1);

    pool.resetCalls();
    await harness.cycle([worker]);
    expect(pool.calls(worker.key).authenticate ?? 0).toBe(0);
    await harness.waitForIdleConsumer();
  });

  it("carries the refresh correlation id and re-reads licensing on a refresh", async () => {
    const { pool } = harness;
    const collector = await harness.start();
    const worker = await harness.addWorker();
    await harness.waitForDirectory(collector, worker.state);
    await harness.cycle([worker]);
    pool.update(worker.key, { license: { registration: "EVAL", authorization: "EVAL" } });
    pool.resetCalls();
    const [event] = await harness.cycle([worker], { refresh: true, correlationId: "refresh-42" });
    expect(correlationIdOf(present(event))).toBe("refresh-42");
    expect(metricsData(event).licenseStatus).toBe("EVALUATION");
    expect(pool.calls(worker.key).licensing).toBe(1);
    await harness.waitForIdleConsumer();
  });

  it("every message published in this file validates against the contracts and the CloudEvents schema", () => {
    expect(harness.received.length).toBeGreaterThan(20);
    expect(harness.invalidMessages()).toEqual([]);
  });

  it("never logs the CML password or a token", () => {
    const logs = harness.logText();
    expect(logs).toContain("CML collection failed");
    expect(logs).not.toContain(HARNESS_PASSWORD);
    expect(logs).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(logs.toLowerCase()).not.toContain("bearer");
  });
});
