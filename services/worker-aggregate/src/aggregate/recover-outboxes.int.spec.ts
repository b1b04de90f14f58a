import { createTopology, type Topology, TransientError } from "@cml-telemetry/contracts";
import {
  createAckedPublisher,
  openWorkersKv,
  provisionTopology,
  silentLogger,
} from "@cml-telemetry/messaging";
import { removeTopology } from "@cml-telemetry/messaging/testing";
import { startNatsServer, type TestNatsServer, uniquePrefix } from "@cml-telemetry/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { decide } from "../decider/decide.ts";
import { evolve } from "../decider/evolve.ts";
import { initialState } from "../decider/initial-state.ts";
import { createWorkerStore, type WorkerStore } from "../store/worker-store.ts";
import { checkEventLog, readWorkerEvents, readWorkerRecords } from "../testing/event-log.ts";
import { fleetWorkerId } from "../testing/fleet-telemetry.ts";
import { commandOf, instanceIdOf } from "../testing/worker-fixtures.ts";
import { noopAggregateMetrics } from "./aggregate-metrics.ts";
import { toOutboxEntry } from "./domain-event-message.ts";
import { createOutboxPublisher } from "./outbox-publisher.ts";
import type { WorkerProcessorDeps } from "./process-worker.ts";
import { recoverOutboxes } from "./recover-outboxes.ts";
import { createWorkerLocks } from "./worker-locks.ts";

let server: TestNatsServer;
let nc: NatsConnection;
let topology: Topology;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connect({ servers: server.url });
});
afterAll(async () => {
  await nc?.drain();
  await server?.stop();
});
beforeEach(async () => {
  topology = createTopology({ namePrefix: uniquePrefix() });
  await provisionTopology(nc, topology, { logger: silentLogger });
});
afterEach(async () => {
  await removeTopology(nc, topology);
});

/** Stores the record of the n-th fleet worker as a crash right after its discovery was written leaves it. */
async function crashLeftRecord(n: number): Promise<string> {
  const workerId = fleetWorkerId(n);
  const now = new Date();
  const events = decide(commandOf.discovered({ instanceId: instanceIdOf(n) }), initialState(workerId), now);
  const record = {
    state: events.reduce(evolve, initialState(workerId)),
    outbox: events.map((event, index) => toOutboxEntry(event, index, { time: now })),
    recentInputIds: [`discovery-${n}`],
  };
  await (await openWorkersKv(nc, topology)).create(workerId, JSON.stringify(record));
  return workerId;
}

/** Processor dependencies on the real KV and stream, with the store's reads failing as `failing` says. */
async function depsWith(failing: {
  load?: (workerId: string) => boolean;
  list?: () => boolean;
}): Promise<WorkerProcessorDeps> {
  const kv = await openWorkersKv(nc, topology);
  const acked = createAckedPublisher(nc);
  const real = createWorkerStore(kv, { writes: { publisher: acked, bucket: topology.kv.workers.bucket } });
  const store: WorkerStore = {
    ...real,
    load: (workerId, options) =>
      failing.load?.(workerId)
        ? Promise.reject(new TransientError(`reading ${workerId} timed out`, { code: "KV_UNAVAILABLE" }))
        : real.load(workerId, options),
    workerIds: () =>
      failing.list?.()
        ? Promise.reject(new TransientError("listing the workers timed out", { code: "KV_UNAVAILABLE" }))
        : real.workerIds(),
  };
  return {
    store,
    publisher: createOutboxPublisher(acked, await jetstreamManager(nc), {
      stream: topology.streams.workerEvents.name,
    }),
    metrics: noopAggregateMetrics,
    logger: silentLogger,
    clock: () => new Date(),
    locks: createWorkerLocks(),
  };
}

describe("recoverOutboxes", () => {
  it("retries a worker whose read fails with backoff, goes on with the others, and reports what is pending", async () => {
    const workers = await Promise.all([0, 1, 2, 3].map(crashLeftRecord));
    const unlucky = workers[2];
    let failures = 0;
    const deps = await depsWith({
      load: (workerId) => workerId === unlucky && ++failures <= 3,
    });
    const progress: Array<{ pending: number; checked: number }> = [];

    const summary = await recoverOutboxes(deps, {
      retryDelayMs: () => 20,
      onProgress: (report) => progress.push({ pending: report.pending, checked: report.checked }),
    });

    expect(summary).toMatchObject({ total: 4, checked: 4, recovered: 4, pending: 0 });
    expect(failures).toBe(4);
    expect(progress.some((report) => report.pending === 1 && report.checked === 3)).toBe(true);
    expect(progress.at(-1)).toEqual({ pending: 0, checked: 4 });
    const events = await readWorkerEvents(nc, topology);
    expect(events).toHaveLength(16);
    expect(checkEventLog(events, await readWorkerRecords(nc, topology))).toEqual([]);
  });

  it("retries listing the workers", async () => {
    await crashLeftRecord(0);
    let listings = 0;
    const deps = await depsWith({ list: () => ++listings <= 2 });
    expect(await recoverOutboxes(deps, { retryDelayMs: () => 20 })).toMatchObject({
      total: 1,
      checked: 1,
      recovered: 1,
      pending: 0,
    });
    expect(listings).toBe(3);
  });
});
