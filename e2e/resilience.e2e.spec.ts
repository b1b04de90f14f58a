import { consumerNames, createTopology, parseWorkerEventSubject, subjects } from "@cml-telemetry/contracts";
import { type RunningSystem, startSystem, waitFor } from "@cml-telemetry/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, listWorkers, readStream, sim, workerVersions } from "./helpers.ts";

let system: RunningSystem;
let nc: NatsConnection;
const INTERVAL = 10;
/** Workers of the 10-worker fleet that run (the simulator's seeded fleet has one stopped), in two regions. */
const RUNNING = 9;
const REGIONS = 2;

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
  // A steady fleet: the controller that boots slowly (90 s) is ready at once, so every window sees the same work.
  const fleet = await sim<{ instances: Array<{ instanceId: string; cmlBootSeconds: number }> }>(
    system.simUrl,
    "/fleet",
  );
  for (const instance of fleet.instances.filter((candidate) => candidate.cmlBootSeconds > 0)) {
    await sim(system.simUrl, `/instances/${instance.instanceId}`, "PATCH", { cmlBootSeconds: 0 });
  }
  await waitFor(
    async () => {
      const running = (await listWorkers(system.apiUrl)).filter((worker) => worker.status === "RUNNING");
      return running.length === RUNNING && running.every((worker) => worker.service_status === "AVAILABLE");
    },
    { timeoutMs: 60_000, intervalMs: 500, what: `${RUNNING} running workers with CML available` },
  );
});

afterAll(async () => {
  await nc?.close();
  await system?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the middle of the slot that starts at a wall-clock second `s` with `s % 60 === 40` and `s + 20` not on a
 * 5-minute boundary. Collections run in the first second or two of their slot (a command fetch waits up to 1 s), so a
 * window from there over two slots holds exactly: two EC2 status-check slots, two CML slots and one CloudWatch slot
 * for detailed monitoring (the minute boundary at `s + 20`) and none for basic monitoring. Every window measured this
 * way holds the same work, so call counts compare exactly.
 */
async function comparableWindowStart(settleMs: number): Promise<void> {
  const slotMs = INTERVAL * 1000;
  let start = Math.ceil((Date.now() + settleMs) / slotMs) * slotMs;
  while ((start / 1000) % 60 !== 40 || (start / 1000 + 2 * INTERVAL) % 300 === 0) start += slotMs;
  await sleep(start + slotMs / 2 - Date.now());
}

interface CallCounts {
  aws: number;
  cml: number;
  awsByAction: Record<string, number>;
  cmlByEndpoint: Record<string, number>;
}

/** Calls made in the next comparable window that starts at least `settleMs` from now. */
async function callsOverComparableWindow(settleMs: number): Promise<CallCounts> {
  await comparableWindowStart(settleMs);
  await sim(system.simUrl, "/calls", "DELETE");
  await sleep(2 * INTERVAL * 1000);
  const calls = await sim<{
    aws: { total: number; byAction: Record<string, number> };
    cml: Record<string, number> | null;
  }>(system.simUrl, "/calls");
  // Per-replica caches, filled on a replica's first work and refreshed rarely, are not per-cycle calls: each replica
  // keeps its own CML token per controller (one sign-in per token lifetime), its own choice of how to read each
  // controller's labs (one populate_lab_tiles probe, then the documented calls), and its own agent metric dimensions
  // per region (one ListMetrics every 15 minutes).
  const perCycle = (counts: Record<string, number>, perReplica: readonly string[]) =>
    Object.entries(counts)
      .filter(([name]) => !perReplica.includes(name))
      .reduce((sum, [, count]) => sum + count, 0);
  return {
    aws: perCycle(calls.aws.byAction, ["cloudwatch:ListMetrics"]),
    cml: perCycle(calls.cml ?? {}, ["authenticate", "populate_lab_tiles"]),
    awsByAction: calls.aws.byAction,
    cmlByEndpoint: calls.cml ?? {},
  };
}

/** The calls the work of one window takes: two EC2 status-check cycles, two CML cycles and one CloudWatch cycle. */
const WINDOW_WORK = {
  describeInstanceStatus: 2 * REGIONS,
  getMetricData: REGIONS,
  systemInformation: 2 * RUNNING,
} as const;

/**
 * Whether a window holds every cycle of its slots: at least the calls of {@link WINDOW_WORK} (`exactly`: no more
 * either, as one replica of each collector makes). On a loaded machine a cycle can start late enough to fall outside
 * its window; such a window is measured again.
 */
function holdsWholeWindow(counts: CallCounts, exactly: boolean): boolean {
  const holds = (calls: number | undefined, expected: number) =>
    exactly ? calls === expected : (calls ?? 0) >= expected;
  return (
    holds(counts.awsByAction["ec2:DescribeInstanceStatus"], WINDOW_WORK.describeInstanceStatus) &&
    holds(counts.awsByAction["cloudwatch:GetMetricData"], WINDOW_WORK.getMetricData) &&
    holds(counts.cmlByEndpoint.system_information, WINDOW_WORK.systemInformation)
  );
}

/** Measures comparable windows until one holds every cycle of its slots (three tries); `exactly` as above. */
async function wholeWindow(settleMs: number, exactly: boolean): Promise<CallCounts> {
  let counts = await callsOverComparableWindow(settleMs);
  for (let attempt = 1; attempt < 3 && !holdsWholeWindow(counts, exactly); attempt += 1)
    counts = await callsOverComparableWindow(settleMs);
  return counts;
}

describe("resilience and scaling", () => {
  it("two replicas of each collector make no more AWS or CML calls per cycle than one (per-replica caches aside)", async () => {
    // Both windows must hold every cycle of their slots, or a window short of a late cycle would compare low.
    const single = await wholeWindow(1_000, true);
    expect(holdsWholeWindow(single, true), JSON.stringify(single)).toBe(true);
    await Promise.all(
      (["collector-ec2", "collector-cloudwatch", "collector-cml"] as const).map((service) =>
        system.startReplica(service),
      ),
    );
    // The new replicas' start-up reads (sign-ins, metric listing) happen during the settle slot, outside the window.
    const doubled = await wholeWindow(INTERVAL * 1000, false);
    const report = JSON.stringify({ single, doubled });
    expect(holdsWholeWindow(doubled, false), report).toBe(true);
    expect(doubled.aws, report).toBeLessThanOrEqual(single.aws);
    expect(doubled.cml, report).toBeLessThanOrEqual(single.cml);
  }, 600_000);

  it("killing the aggregate with SIGKILL and restarting it loses and duplicates no domain event", async () => {
    const jsm = await jetstreamManager(nc);
    const topology = createTopology();
    const telemetry = topology.streams.telemetry.name;
    const aggregateConsumer = () => jsm.consumers.info(telemetry, consumerNames.aggregateTelemetry);
    const lastTelemetry = async () => (await jsm.streams.info(telemetry)).state.last_seq;
    const workers = await listWorkers(system.apiUrl);
    const refresh = (targets: typeof workers) =>
      Promise.all(
        targets.map((worker) =>
          api(system.apiUrl, `/api/v1/workers/${worker.id}/refresh`, { method: "POST", expect: [202] }),
        ),
      );

    // Killed while telemetry flows: as soon as the first answers to five refreshes are in the stream.
    const before = await lastTelemetry();
    await refresh(workers.slice(0, 5));
    await waitFor(async () => (await lastTelemetry()) > before, { what: "refresh telemetry in the stream" });
    await system.kill("worker-aggregate", "SIGKILL");
    const versionsAtKill = await workerVersions(nc);

    // While it is down, five more refreshes leave telemetry waiting on its consumer: the EC2 answer of each (every
    // worker has one, stopped or not) is in the stream before the restart.
    const killedAt = await lastTelemetry();
    const downRefreshed = workers.slice(5, 10);
    await refresh(downRefreshed);
    const answeredSinceKill = async (workerId: string) => {
      const last = await jsm.streams
        .getMessage(telemetry, { last_by_subj: subjects.telemetry("ec2", workerId) })
        .catch(() => null);
      return last !== null && last.seq > killedAt;
    };
    await waitFor(
      async () =>
        (await Promise.all(downRefreshed.map((worker) => answeredSinceKill(worker.id)))).every(Boolean),
      { timeoutMs: 30_000, what: "the EC2 answers to the refreshes made while the aggregate is down" },
    );
    await waitFor(async () => (await aggregateConsumer()).num_pending > 0, {
      what: "telemetry waiting for the killed aggregate",
    });
    const backlogEnd = await lastTelemetry();
    const ackFloorAtRestart = (await aggregateConsumer()).ack_floor.stream_seq;
    expect(backlogEnd).toBeGreaterThan(ackFloorAtRestart);

    // The restarted aggregate works through the backlog (messages the killed one held come back after the ack wait).
    await system.restart("worker-aggregate");
    await waitFor(async () => (await aggregateConsumer()).ack_floor.stream_seq >= backlogEnd, {
      timeoutMs: 90_000,
      intervalMs: 500,
      what: "the restarted aggregate through the backlog",
    });
    const versionsAfter = await workerVersions(nc);
    for (const worker of downRefreshed) {
      expect(versionsAfter.get(worker.id), `version of ${worker.name} after the restart`).toBeGreaterThan(
        versionsAtKill.get(worker.id) ?? 0,
      );
    }

    // No event twice, and no gap: every decision 1..version the state in KV holds has its events in the stream. The
    // outbox of a decision just made may still be publishing, so the check is repeated until it holds (or time is up).
    let duplicates: string[] = [];
    let gaps: string[] = [];
    const deadline = Date.now() + 30_000;
    do {
      const versions = await workerVersions(nc);
      const events = await readStream(nc, topology.streams.workerEvents.name);
      const ids = events.map((message) => message.event.id);
      duplicates = ids.filter((id, index) => ids.indexOf(id) !== index);
      const decided = new Map<string, Set<number>>();
      for (const message of events) {
        const parsed = parseWorkerEventSubject(message.subject);
        if (!parsed) throw new Error(`unexpected subject ${message.subject}`);
        const version = Number(message.event.id.split(":")[1]);
        decided.set(parsed.workerId, (decided.get(parsed.workerId) ?? new Set()).add(version));
      }
      gaps = [];
      for (const [workerId, version] of versions) {
        for (let v = 1; v <= version; v += 1)
          if (!decided.get(workerId)?.has(v)) gaps.push(`${workerId} misses the events of version ${v}`);
      }
      if (gaps.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    } while (Date.now() < deadline);
    expect(duplicates).toEqual([]);
    expect(gaps).toEqual([]);
    expect(versionsAfter.size).toBe(10);
  }, 240_000);
});
