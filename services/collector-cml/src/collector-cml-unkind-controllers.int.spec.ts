import { randomUUID, X509Certificate } from "node:crypto";
import { commands, createEvent, subjects } from "@cml-telemetry/contracts";
import { generateCmlLabs } from "@cml-telemetry/fleet-sim";
import { publishEvent } from "@cml-telemetry/messaging";
import { createMetrics } from "@cml-telemetry/observability";
import { slotOf } from "@cml-telemetry/scheduling";
import { waitFor } from "@cml-telemetry/testing";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { describe, expect, it } from "vitest";
import {
  failedData,
  HARNESS_CERTIFICATE_HOST,
  metricsData,
  type SimWorker,
  useCollectorCmlHarness,
} from "./testing/collector-cml-harness.ts";

const harness = useCollectorCmlHarness();

/** SHA-256 of a certificate as pins keep it: lowercase hex, no colons. */
const fingerprintOf = (pem: string): string =>
  new X509Certificate(pem).fingerprint256.replaceAll(":", "").toLowerCase();

describe("labs of controllers that answer populate_lab_tiles in Cisco's documented shape", () => {
  it("reads labs through labs + labs/{id}/state, with stats and licensing, and keeps the fast path where tiles carry states", async () => {
    const { pool } = harness;
    const collector = await harness.start();
    const documented = await harness.addWorker({
      labs: generateCmlLabs({ count: 5, started: 2, seed: "documented" }),
      labTiles: "documented",
      cpuPercent: 33.3,
    });
    const extended = await harness.addWorker({
      labs: generateCmlLabs({ count: 4, started: 1, seed: "extended" }),
      labTiles: "with-lab-fields",
    });
    await harness.waitForDirectory(collector, extended.state);

    const [documentedEvent, extendedEvent] = await harness.cycle([documented, extended]);
    expect(metricsData(documentedEvent)).toMatchObject({
      ready: true,
      labsCount: 5,
      runningLabsCount: 2,
      licenseStatus: "REGISTERED",
      cpuPercent: 33.3,
      runningNodes: 8,
    });
    expect(pool.calls(documented.key)).toMatchObject({
      populate_lab_tiles: 1,
      labs: 1,
      "labs/{id}/state": 5,
    });
    expect(metricsData(extendedEvent)).toMatchObject({ labsCount: 4, runningLabsCount: 1 });
    expect(pool.calls(extended.key)).toEqual({
      system_information: 1,
      authenticate: 1,
      populate_lab_tiles: 1,
      system_stats: 1,
      licensing: 1,
    });

    // A controller whose tiles stop carrying states (an upgrade) moves to the documented calls in that very read.
    pool.update(extended.key, { labTiles: "documented" });
    pool.resetCalls();
    const [, switched] = await harness.cycle([documented, extended]);
    expect(metricsData(switched)).toMatchObject({ labsCount: 4, runningLabsCount: 1 });
    expect(pool.calls(extended.key)).toMatchObject({ populate_lab_tiles: 1, labs: 1, "labs/{id}/state": 4 });
    expect(pool.calls(documented.key).populate_lab_tiles).toBeUndefined();
    expect(harness.logText()).toContain("CML labs read path chosen");
    await harness.waitForIdleConsumer();
  });
});

describe("controllers that trickle their answers", () => {
  it("a controller trickling byte by byte, never idle for the idle timer, fails at the overall deadline while the others are read", async () => {
    await harness.start({ timeoutSeconds: 2 });
    const trickling = await harness.addWorker({ trickle: { bytesPerWrite: 1, intervalMs: 250 } });
    const healthy = await harness.addWorker();
    const [tricklingEvent, healthyEvent] = await harness.cycle([trickling, healthy]);
    expect(failedData(tricklingEvent)).toMatchObject({ errorType: "deadline_exceeded", retryable: true });
    expect(failedData(tricklingEvent).errorMessage).toContain("2000 ms");
    expect(metricsData(healthyEvent)).toMatchObject({ ready: true, labsCount: 3 });
    await harness.waitForIdleConsumer();
    await harness.kv.delete(trickling.key);
  });
});

describe("TLS of controllers whose certificate names another host", () => {
  it("fails as a TLS error without the server-name override, and reads with it", async () => {
    const worker = await harness.addWorker();
    const strict = await harness.start({ tls: { caPem: harness.pool.caCertPem } });
    await harness.waitForDirectory(strict, worker.state);
    const [refused] = await harness.cycle([worker]);
    expect(failedData(refused)).toMatchObject({ errorType: "CmlUnreachable" });
    expect(failedData(refused).errorMessage).toMatch(/tls/);
    await harness.stopCollectors();

    const named = await harness.start({
      tls: { caPem: harness.pool.caCertPem, serverName: HARNESS_CERTIFICATE_HOST },
    });
    await harness.waitForDirectory(named, worker.state);
    const [read] = await harness.cycle([worker]);
    expect(metricsData(read).ready).toBe(true);
    await harness.waitForIdleConsumer();
  });

  it("accepts a fixed list of fingerprints without any CA, and refuses a controller not on it", async () => {
    const { pool } = harness;
    const pinned = await harness.addWorker();
    const fingerprint = new X509Certificate(pool.certificatePem(pinned.key)).fingerprint256;
    const collector = await harness.start({
      tls: { pin: { kind: "fingerprints", fingerprints: [fingerprint] } },
    });
    await harness.waitForDirectory(collector, pinned.state);
    const [accepted] = await harness.cycle([pinned]);
    expect(metricsData(accepted).ready).toBe(true);

    await pool.replaceCertificate(pinned.key);
    pool.resetCalls();
    const [refused] = await harness.cycle([pinned]);
    expect(failedData(refused)).toMatchObject({ errorType: "tls_fingerprint_changed", retryable: false });
    expect(pool.calls(pinned.key)).toEqual({});
    await harness.waitForIdleConsumer();
  });

  it("trust on first use: replicas share the pins in KV, a restart remembers them, a changed certificate fails with tls_fingerprint_changed", async () => {
    const { pool } = harness;
    const tofu = { pin: { kind: "tofu" } } as const;
    const workers = [await harness.addWorker(), await harness.addWorker()];
    const pins = await new Kvm(jetstream(harness.nc)).open(harness.topology.kv.tlsPins.bucket);
    const pinOf = async (worker: SimWorker) =>
      ((await pins.get(worker.key))?.json() as { fingerprint?: string } | undefined)?.fingerprint;

    // Two replicas share the consumer: each worker is read by one of them, and pinned once.
    const replicas = [await harness.start({ tls: tofu }), await harness.start({ tls: tofu })];
    for (const replica of replicas)
      for (const worker of workers) await harness.waitForDirectory(replica, worker.state);
    for (const event of await harness.cycle(workers)) expect(metricsData(event).ready).toBe(true);
    for (const worker of workers) {
      expect(await pinOf(worker)).toBe(fingerprintOf(pool.certificatePem(worker.key)));
    }
    await harness.stopCollectors();

    // A restarted replica (nothing in memory) reads the same controllers against the recorded pins.
    const metrics = await createMetrics({ service: "collector-cml", port: 0 });
    const restarted = await harness.start({ tls: tofu, metrics });
    for (const worker of workers) await harness.waitForDirectory(restarted, worker.state);
    const [changed, same] = workers as [SimWorker, SimWorker];
    const before = await pinOf(changed);
    await pool.replaceCertificate(changed.key);
    pool.resetCalls();
    const [changedEvent, sameEvent] = await harness.cycle([changed, same]);
    expect(failedData(changedEvent)).toMatchObject({
      errorType: "tls_fingerprint_changed",
      retryable: false,
    });
    expect(failedData(changedEvent).errorMessage).toContain(String(before));
    expect(metricsData(sameEvent).ready).toBe(true);
    expect(pool.calls(changed.key)).toEqual({});
    expect(await pinOf(changed)).toBe(before);
    expect(await metrics.scrape()).toMatch(
      /cml_collections_total\{result="failed",error_type="tls_fingerprint_changed"[^}]*\} 1/,
    );
    await metrics.close();

    // An operator accepts the new certificate by removing the pin: the next read records it.
    await pins.delete(changed.key);
    const [accepted] = await harness.cycle([changed]);
    expect(metricsData(accepted).ready).toBe(true);
    expect(await pinOf(changed)).toBe(fingerprintOf(pool.certificatePem(changed.key)));
    expect(harness.logText()).toContain("CML certificate pinned on first use");
    await harness.waitForIdleConsumer();
  });
});

describe("scheduled slots are collected once", () => {
  it("acknowledges a scheduled command for a slot the worker's state already shows observed (published again after the duplicate window) without a CML call", async () => {
    const { pool } = harness;
    const collector = await harness.start({ intervalSeconds: 300 });
    const worker = await harness.addWorker({ labTiles: "with-lab-fields" });
    await harness.waitForDirectory(collector, worker.state);
    const slot = slotOf(Date.now(), 300);
    const publishScheduled = async (forSlot: number) => {
      const event = createEvent(commands.collect, {
        source: "collector-cml",
        subject: worker.key,
        // A new id: JetStream no longer remembers the first one after its 2-minute window.
        id: randomUUID(),
        data: {
          workerId: worker.key,
          region: worker.state.region,
          instanceId: worker.state.instanceId,
          reason: "schedule",
          slot: forSlot,
        },
      });
      await publishEvent(jetstream(harness.nc), subjects.collect("cml", worker.key), event);
    };

    await publishScheduled(slot);
    const first = await waitFor(() => harness.telemetryOf(worker.key)[0], { what: "the slot's telemetry" });
    // What worker-aggregate writes once it applied that telemetry.
    const observedAt = metricsData(first).observedAt;
    const observed = {
      ...worker.state,
      cmlMetrics: { ...worker.state.cmlMetrics, lastObservedAt: observedAt },
    };
    await harness.putWorker(observed);
    await waitFor(() => collector.directory.get(worker.key)?.cmlMetrics.lastObservedAt === observedAt, {
      what: "the directory to show the observation",
    });

    pool.resetCalls();
    await publishScheduled(slot);
    await harness.waitForIdleConsumer();
    expect(pool.calls(worker.key)).toEqual({});
    expect(harness.telemetryOf(worker.key)).toHaveLength(1);

    await publishScheduled(slot + 300);
    await waitFor(() => harness.telemetryOf(worker.key)[1], { what: "the next slot's telemetry" });
    expect(pool.calls(worker.key).system_information).toBe(1);
    await harness.waitForIdleConsumer();
  });
});

describe("contracts", () => {
  it("every message published in this file validates against the contracts and the CloudEvents schema", () => {
    expect(harness.received.length).toBeGreaterThan(10);
    expect(harness.invalidMessages()).toEqual([]);
  });
});
