import { type WorkerState, workerIdOf } from "@cml-telemetry/contracts";
import { type ConsumeLoop, createOpsPublisher, silentLogger } from "@cml-telemetry/messaging";
import { useNatsTopology } from "@cml-telemetry/messaging/testing";
import { waitFor } from "@cml-telemetry/testing";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { afterEach, describe, expect, it } from "vitest";
import type { RegionCollector } from "./collect-batch-handler.ts";
import { publishCollectCommands } from "./publish-collect-commands.ts";
import { createSlotPassClaims } from "./slot-pass-claims.ts";
import { startCollectConsumer } from "./start-collect-consumer.ts";
import { initialWorkerStateFixture } from "./testing/fixtures.ts";
import type { WorkerDirectory } from "./worker-directory.ts";

const loops: ConsumeLoop[] = [];
const SLOT = 1_764_072_000;
// A one-second duplicate window on CML_OPS: a claim that relied on Nats-Msg-Id dedupe would expire at once.
const nats = useNatsTopology((base) => ({
  ...base,
  streams: { ...base.streams, ops: { ...base.streams.ops, duplicateWindowSeconds: 1 } },
}));

afterEach(async () => {
  await Promise.all(loops.splice(0).map((loop) => loop.stop()));
});

function workers(count: number): WorkerState[] {
  return Array.from({ length: count }, (_, i) => {
    const instanceId = `i-${String(i).padStart(8, "0")}`;
    return {
      ...initialWorkerStateFixture(workerIdOf("us-east-1", instanceId)),
      instanceId,
      status: "RUNNING",
    };
  });
}

function directoryOf(states: readonly WorkerState[]): WorkerDirectory {
  const byId = new Map(states.map((state) => [state.id, state]));
  return {
    ready: Promise.resolve(),
    get: (id) => byId.get(id),
    list: () => [...byId.values()],
    size: () => byId.size,
    stop: () => undefined,
  };
}

async function startReplica(
  states: readonly WorkerState[],
  collectRegion: RegionCollector,
  concurrency?: number,
): Promise<void> {
  loops.push(
    await startCollectConsumer({
      nc: nats.nc,
      topology: nats.topology,
      source: "ec2",
      directory: directoryOf(states),
      collectRegion,
      regions: new Set(["us-east-1"]),
      isDue: () => true,
      accepts: () => true,
      ops: createOpsPublisher({ nc: nats.nc, service: "collector-ec2", logger: silentLogger }),
      logger: silentLogger,
      batchSize: 5,
      passWaitMs: 10_000,
      concurrency,
    }),
  );
}

async function publishSlot(states: readonly WorkerState[]): Promise<void> {
  await publishCollectCommands({
    js: jetstream(nats.nc),
    service: "collector-ec2",
    source: "ec2",
    targets: states.map((w) => ({ workerId: w.id, region: w.region, instanceId: w.instanceId })),
    reason: "schedule",
    slot: SLOT,
  });
}

describe("slot pass claims", () => {
  it("hold for the whole slot, beyond the stream's duplicate window", async () => {
    const jsm = await jetstreamManager(nats.nc);
    const claims = () =>
      createSlotPassClaims({
        js: jetstream(nats.nc),
        jsm,
        opsStream: nats.topology.streams.ops.name,
        service: "collector-ec2",
        jobName: "collect-ec2",
        logger: silentLogger,
      });
    const first = await claims().resolve("us-east-1", SLOT, () => ["a"]);
    expect(first).toMatchObject({ owner: true, fresh: true });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const later = await claims().resolve("us-east-1", SLOT, () => ["a"]);
    expect(later).toMatchObject({ owner: false, fresh: true });
  });
});

describe("failed slot passes", () => {
  it("are retried: a command redelivered after a failed pass is collected, not acknowledged as covered", async () => {
    const states = workers(3);
    let attempts = 0;
    const collected = new Set<string>();
    await startReplica(states, async (_region, targets) => {
      attempts += 1;
      if (attempts === 1) throw new Error("telemetry could not be published");
      for (const target of targets) collected.add(target.workerId);
    });
    await publishSlot(states);
    await waitFor(() => collected.size === 3, {
      what: "every worker collected after the failure",
      timeoutMs: 15_000,
    });
    expect(attempts).toBeGreaterThanOrEqual(2);
  });

  it("leave no worker uncollected when another replica owned the pass and it failed", async () => {
    const states = workers(20);
    let failed = false;
    const collected = new Set<string>();
    const collect: RegionCollector = async (_region, targets) => {
      if (!failed) {
        failed = true;
        throw new Error("telemetry could not be published");
      }
      for (const target of targets) collected.add(target.workerId);
    };
    await startReplica(states, collect);
    await startReplica(states, collect);
    await publishSlot(states);
    await waitFor(() => collected.size === 20, { what: "every worker collected", timeoutMs: 20_000 });
  });
});

describe("refresh behind a slot", () => {
  it("is collected while the slot's pass runs, not after the batches that wait for it", async () => {
    const states = workers(30);
    const passMs = 3_000;
    let passEndedAt: number | undefined;
    let refreshedAt: number | undefined;
    await startReplica(states, async (_region, targets) => {
      if (targets.length === states.length) {
        await new Promise((resolve) => setTimeout(resolve, passMs));
        passEndedAt = performance.now();
      } else if (targets.some((target) => target.correlationIds.has("refresh-1"))) {
        refreshedAt = performance.now();
      }
    });
    // 30 scheduled commands fill 6 batches of 5; the refresh comes after all of them.
    await publishSlot(states);
    const refreshed = states[7] as WorkerState;
    await publishCollectCommands({
      js: jetstream(nats.nc),
      service: "api",
      source: "ec2",
      targets: [{ workerId: refreshed.id, region: refreshed.region, instanceId: refreshed.instanceId }],
      reason: "refresh",
      correlationId: "refresh-1",
    });
    await waitFor(() => refreshedAt !== undefined && passEndedAt !== undefined, {
      what: "the pass and the refresh collected",
      timeoutMs: 15_000,
    });
    expect(refreshedAt).toBeLessThan(passEndedAt as number);
  });
});
