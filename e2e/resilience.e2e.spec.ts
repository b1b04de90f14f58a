import { createTopology, parseWorkerEventSubject } from "@cml-telemetry/contracts";
import { type RunningSystem, startSystem, waitFor } from "@cml-telemetry/testing";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listWorkers, readStream, sim } from "./helpers.ts";

let system: RunningSystem;
let nc: NatsConnection;
const INTERVAL = 10;

beforeAll(async () => {
  system = await startSystem({
    env: {
      COLLECT_INTERVAL_EC2_SECONDS: String(INTERVAL),
      COLLECT_INTERVAL_CML_SECONDS: String(INTERVAL),
      COLLECT_INTERVAL_CLOUDWATCH_SECONDS: String(INTERVAL),
      DISCOVERY_INTERVAL_SECONDS: "3600",
    },
    simEnv: { FLEET_SIM_WORKERS: "10", FLEET_SIM_CHURN_SECONDS: "0", FLEET_SIM_BOOT_SECONDS: "5" },
  });
  nc = await connect({ servers: system.natsUrl });
  await waitFor(async () => (await listWorkers(system.apiUrl)).length === 10, {
    timeoutMs: 60_000,
    intervalMs: 500,
    what: "10 workers",
  });
});

afterAll(async () => {
  await nc?.close();
  await system?.stop();
});

/** Waits for the start of the next collection slot (plus a margin), so call counts cover whole slots. */
async function nextSlot(): Promise<void> {
  const ms = INTERVAL * 1000;
  await new Promise((resolve) => setTimeout(resolve, ms - (Date.now() % ms) + 500));
}

async function callsOverSlots(slots: number): Promise<{ aws: number; cml: number }> {
  await nextSlot();
  await sim(system.simUrl, "/calls", "DELETE");
  await new Promise((resolve) => setTimeout(resolve, slots * INTERVAL * 1000));
  const calls = await sim<{
    aws: { total: number; byAction: Record<string, number> };
    cml: Record<string, number> | null;
  }>(system.simUrl, "/calls");
  // Each replica keeps its own token per controller (one sign-in per token lifetime, not per cycle).
  const cml = Object.entries(calls.cml ?? {})
    .filter(([endpoint]) => endpoint !== "authenticate")
    .reduce((sum, [, count]) => sum + count, 0);
  return { aws: calls.aws.total, cml };
}

describe("resilience and scaling", () => {
  it("two replicas of each collector make no more AWS or CML calls per cycle than one (sign-ins aside)", async () => {
    const single = await callsOverSlots(2);
    expect(single.aws).toBeGreaterThan(0);
    await Promise.all(
      (["collector-ec2", "collector-cloudwatch", "collector-cml"] as const).map((service) =>
        system.startReplica(service),
      ),
    );
    await nextSlot(); // the new replicas sign in to the controllers they are given
    const doubled = await callsOverSlots(2);
    expect(doubled.aws).toBeLessThanOrEqual(single.aws);
    expect(doubled.cml).toBeLessThanOrEqual(single.cml);
  });

  it("killing the aggregate with SIGKILL and restarting it loses and duplicates no domain event", async () => {
    // Make sure plenty of telemetry flows while the aggregate dies.
    const workers = await listWorkers(system.apiUrl);
    await Promise.all(
      workers
        .slice(0, 5)
        .map((worker) => fetch(`${system.apiUrl}/api/v1/workers/${worker.id}/refresh`, { method: "POST" })),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await system.kill("worker-aggregate", "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await system.restart("worker-aggregate");
    const topology = createTopology();
    // Let the restarted aggregate catch up with everything published meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 2 * INTERVAL * 1000));
    const events = await readStream(nc, topology.streams.workerEvents.name);
    const ids = events.map((message) => message.event.id);
    expect(new Set(ids).size).toBe(ids.length);
    const byWorker = new Map<string, Set<string>>();
    for (const message of events) {
      const parsed = parseWorkerEventSubject(message.subject);
      if (!parsed) throw new Error(`unexpected subject ${message.subject}`);
      const [, version, index] = message.event.id.split(":");
      const keys = byWorker.get(parsed.workerId) ?? new Set<string>();
      keys.add(`${version}:${index}`);
      byWorker.set(parsed.workerId, keys);
    }
    // No gaps: every decision version 1..current of every worker has its events in the stream.
    const current = await listWorkers(system.apiUrl);
    expect(current.length).toBe(10);
    for (const worker of current) {
      const keys = byWorker.get(worker.id) ?? new Set<string>();
      const versions = new Set([...keys].map((key) => Number(key.split(":")[0])));
      const max = Math.max(...versions);
      for (let version = 1; version <= max; version += 1) {
        expect(versions.has(version), `worker ${worker.id} misses the events of version ${version}`).toBe(
          true,
        );
      }
    }
  });
});
