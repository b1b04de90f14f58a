import { commands, parseEventData, telemetry } from "@cml-telemetry/contracts";
import { generateCmlLabs } from "@cml-telemetry/fleet-sim";
import { waitFor } from "@cml-telemetry/testing";
import { describe, expect, it } from "vitest";
import {
  failedData,
  HARNESS_PASSWORD,
  metricsData,
  present,
  useCollectorCmlHarness,
} from "./testing/collector-cml-harness.ts";

const harness = useCollectorCmlHarness();

describe("collector-cml gating, credentials and scheduling", () => {
  it("backs authentication off after rejected credentials (no retry storm) and recovers when they work again", async () => {
    const { pool } = harness;
    const collector = await harness.start();
    const worker = await harness.addWorker({ mode: "bad-credentials" });
    await harness.waitForDirectory(collector, worker.state);

    const authAttempts: number[] = [];
    for (let round = 0; round < 6; round += 1) {
      const [event] = await harness.cycle([worker]);
      expect(failedData(event)).toMatchObject({ errorType: "CmlAuthFailed", retryable: false });
      authAttempts.push(pool.calls(worker.key).authenticate ?? 0);
    }
    // Attempts in cycles 1, 3 and 6 (skips of 1 then 2 collections); the probe runs every cycle.
    expect(authAttempts).toEqual([1, 1, 2, 2, 2, 3]);
    expect(pool.calls(worker.key).system_information).toBe(6);
    expect(pool.calls(worker.key).system_stats ?? 0).toBe(0);

    pool.update(worker.key, { mode: "up" });
    const [skipped] = await harness.cycle([worker]);
    expect(failedData(skipped).errorType).toBe("CmlAuthFailed");
    let recovered: (typeof skipped)[] = [];
    for (let round = 0; round < 4 && recovered.length === 0; round += 1) {
      recovered = (await harness.cycle([worker])).filter(
        (event) => event?.type === telemetry.cmlMetrics.type,
      );
    }
    expect(metricsData(recovered[0])).toMatchObject({ ready: true, licenseStatus: "REGISTERED" });
    await harness.waitForIdleConsumer();
  });

  it("makes no CML call for a worker that is not RUNNING, has no endpoint or is unknown", async () => {
    const { pool } = harness;
    const collector = await harness.start();
    const stopped = await harness.addWorker({}, { status: "STOPPED" });
    const noEndpoint = await harness.addWorker({}, { httpsEndpoint: null });
    const unknown = await harness.addWorker();
    await harness.kv.delete(unknown.key);
    await harness.waitForDirectory(collector, stopped.state);
    await harness.waitForDirectory(collector, noEndpoint.state);
    await waitFor(() => collector.directory.get(unknown.key) === undefined, {
      what: "deleted worker to vanish",
    });

    pool.resetCalls();
    await harness.publishCommands([stopped, noEndpoint, unknown]);
    await harness.waitForIdleConsumer();
    for (const quiet of [stopped, noEndpoint, unknown]) {
      expect(pool.calls(quiet.key)).toEqual({});
      expect(harness.telemetryOf(quiet.key)).toEqual([]);
    }
    const control = await harness.addWorker();
    await harness.waitForDirectory(collector, control.state);
    const [event] = await harness.cycle([control]);
    expect(metricsData(event).ready).toBe(true);
  });

  it("schedules RUNNING workers at start, a newly RUNNING worker at once, and follows endpoint changes", async () => {
    const { pool } = harness;
    const early = await harness.addWorker();
    const late = await harness.addWorker({}, { status: "PENDING" });
    const collector = await harness.start({ schedule: true, directoryCheckMs: 50 });
    await waitFor(() => harness.telemetryOf(early.key).length > 0, {
      what: "scheduled telemetry of the running worker",
    });
    expect(harness.telemetryOf(late.key)).toEqual([]);
    expect(pool.calls(late.key)).toEqual({});
    const scheduled = harness.received.find(
      (event) => event.type === commands.collect.type && event.subject === early.key,
    );
    expect(parseEventData(commands.collect, present(scheduled))).toMatchObject({
      reason: "schedule",
      httpsEndpoint: early.state.httpsEndpoint,
    });

    await harness.putWorker({ ...late.state, status: "RUNNING" });
    await waitFor(() => harness.telemetryOf(late.key).length > 0, {
      what: "telemetry of the newly running worker",
    });
    expect(metricsData(harness.telemetryOf(late.key)[0]).ready).toBe(true);

    const moved = await pool.add(`${early.key}-moved`, { labs: generateCmlLabs({ count: 7, started: 0 }) });
    await harness.putWorker({ ...early.state, httpsEndpoint: moved.endpoint });
    await waitFor(() => collector.clients.endpointOf(early.key) === undefined, {
      what: "the moved worker's client to be evicted",
    });
    const [event] = await harness.cycle([
      { key: early.key, state: { ...early.state, httpsEndpoint: moved.endpoint } },
    ]);
    expect(metricsData(event).labsCount).toBe(7);

    await harness.putWorker({ ...late.state, status: "STOPPED" });
    await waitFor(() => collector.clients.endpointOf(late.key) === undefined, {
      what: "the stopped worker's client to be evicted",
    });
    expect(collector.clients.endpointOf(early.key)).toBe(moved.endpoint);
    await harness.waitForIdleConsumer();
  });

  it("probes only when no CML user is configured", async () => {
    const collector = await harness.start({ withCredentials: false });
    const worker = await harness.addWorker();
    await harness.waitForDirectory(collector, worker.state);
    const [event] = await harness.cycle([worker]);
    expect(metricsData(event)).toMatchObject({ ready: true, version: "2.9.1+build.7", labsCount: null });
    expect(harness.pool.calls(worker.key)).toEqual({ system_information: 1 });
    await harness.waitForIdleConsumer();
  });

  it("every message published in this file validates against the contracts and the CloudEvents schema", () => {
    expect(
      harness.received.some(
        (event) =>
          event.source === "/cml-telemetry/collector-cml" &&
          event.type === "io.cml-telemetry.command.collect.v1",
      ),
    ).toBe(true);
    expect(harness.received.length).toBeGreaterThan(10);
    expect(harness.invalidMessages()).toEqual([]);
  });

  it("never logs the CML password or a token, even when credentials are rejected", () => {
    const logs = harness.logText();
    expect(logs).toContain("CmlAuthFailed");
    expect(logs).not.toContain(HARNESS_PASSWORD);
    expect(logs).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(logs.toLowerCase()).not.toContain("bearer");
  });
});
