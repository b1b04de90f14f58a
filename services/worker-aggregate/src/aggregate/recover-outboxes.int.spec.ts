import { TransientError } from "@cml-telemetry/contracts";
import { openWorkersKv } from "@cml-telemetry/messaging";
import { useNatsTopology } from "@cml-telemetry/messaging/testing";
import { describe, expect, it } from "vitest";
import { decide } from "../decider/decide.ts";
import { evolve } from "../decider/evolve.ts";
import { initialState } from "../decider/initial-state.ts";
import { checkEventLog, readWorkerEvents, readWorkerRecords } from "../testing/event-log.ts";
import { fleetWorkerId } from "../testing/fleet-telemetry.ts";
import { realProcessorDeps } from "../testing/processor-deps.ts";
import { commandOf, instanceIdOf } from "../testing/worker-fixtures.ts";
import { toOutboxEntry } from "./domain-event-message.ts";
import type { WorkerProcessorDeps } from "./process-worker.ts";
import { recoverOutboxes } from "./recover-outboxes.ts";

const nats = useNatsTopology();

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
  await (await openWorkersKv(nats.nc, nats.topology)).create(workerId, JSON.stringify(record));
  return workerId;
}

/** Processor dependencies on the real KV and stream, with the store's reads failing as `failing` says. */
function depsWith(failing: {
  load?: (workerId: string) => boolean;
  list?: () => boolean;
}): Promise<WorkerProcessorDeps> {
  return realProcessorDeps(nats.nc, nats.topology, (real) => ({
    ...real,
    load: (workerId, options) =>
      failing.load?.(workerId)
        ? Promise.reject(new TransientError(`reading ${workerId} timed out`, { code: "KV_UNAVAILABLE" }))
        : real.load(workerId, options),
    workerIds: () =>
      failing.list?.()
        ? Promise.reject(new TransientError("listing the workers timed out", { code: "KV_UNAVAILABLE" }))
        : real.workerIds(),
  }));
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
    const events = await readWorkerEvents(nats.nc, nats.topology);
    expect(events).toHaveLength(16);
    expect(checkEventLog(events, await readWorkerRecords(nats.nc, nats.topology))).toEqual([]);
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
