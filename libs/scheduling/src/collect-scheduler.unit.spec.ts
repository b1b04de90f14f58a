import { decodeEvent, type WorkerState, workerIdOf } from "@cml-telemetry/contracts";
import { silentLogger } from "@cml-telemetry/messaging";
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createCollectScheduler } from "./collect-scheduler.ts";
import { spreadOffsetMs } from "./slot-spread.ts";
import { initialWorkerStateFixture } from "./testing/fixtures.ts";
import type { WorkerDirectory } from "./worker-directory.ts";

afterEach(() => {
  vi.useRealTimers();
});

const workers: WorkerState[] = Array.from({ length: 200 }, (_, i) => ({
  ...initialWorkerStateFixture(workerIdOf("us-east-1", `i-${String(i).padStart(17, "0")}`)),
  status: "RUNNING" as const,
}));
const directory: WorkerDirectory = {
  ready: Promise.resolve(),
  get: (id) => workers.find((worker) => worker.id === id),
  list: () => [...workers],
  size: () => workers.length,
  stop: () => undefined,
};

/** A JetStream client that records what is published, and when (the fake clock's time). */
function recordingJetStream() {
  const published: Array<{ at: number; workerId: string; slot: number | undefined; msgId: string }> = [];
  const js = {
    publish: async (_subject: string, data: Uint8Array, options?: { msgID?: string }): Promise<PubAck> => {
      const event = decodeEvent(data);
      const command = event.data as { workerId: string; slot?: number };
      published.push({
        at: Date.now(),
        workerId: command.workerId,
        slot: command.slot,
        msgId: options?.msgID ?? "",
      });
      return { stream: "CML_COMMANDS", seq: published.length, duplicate: false } as PubAck;
    },
  } as unknown as JetStreamClient;
  return { js, published };
}

function scheduler(js: JetStreamClient, spreadSeconds: number) {
  return createCollectScheduler({
    js,
    service: "collector-cml",
    source: "cml",
    directory,
    intervalSeconds: 60,
    isDue: (worker) => worker.status === "RUNNING",
    isEligible: (worker) => worker.status === "RUNNING",
    logger: silentLogger,
    spreadSeconds,
  });
}

describe("collect scheduler", () => {
  it("publishes a slot's commands at the slot start without a spread", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2026, 10, 25, 12, 0, 59, 500));
    const { js, published } = recordingJetStream();
    const running = scheduler(js, 0);
    running.start();
    await vi.advanceTimersByTimeAsync(1_000);
    const slot = Date.UTC(2026, 10, 25, 12, 1) / 1000;
    const ofSlot = published.filter((entry) => entry.slot === slot);
    expect(ofSlot).toHaveLength(workers.length);
    expect(Math.max(...ofSlot.map((entry) => entry.at))).toBeLessThan(slot * 1000 + 100);
    await running.stop();
  });

  it("spreads a slot's commands over the spread, each worker at its own offset, once per slot", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2026, 10, 25, 12, 0, 59, 500));
    const { js, published } = recordingJetStream();
    const running = scheduler(js, 45);
    running.start();
    const slot = Date.UTC(2026, 10, 25, 12, 1) / 1000;
    await vi.advanceTimersByTimeAsync(500 + 20_000);
    const early = published.filter((entry) => entry.slot === slot);
    expect(early.length).toBeGreaterThan(40);
    expect(early.length).toBeLessThan(140);
    await vi.advanceTimersByTimeAsync(60_000);
    const ofSlot = published.filter((entry) => entry.slot === slot);
    expect(ofSlot).toHaveLength(workers.length);
    for (const entry of ofSlot) {
      const due = slot * 1000 + spreadOffsetMs(entry.workerId, 45_000);
      expect(entry.at).toBeGreaterThanOrEqual(due);
      expect(entry.at).toBeLessThan(due + 1_000);
      expect(entry.msgId).toBe(`cml:${entry.workerId}:${slot}`);
    }
    expect(published.filter((entry) => entry.slot === slot + 60).length).toBeGreaterThan(0);
    await running.stop();
  });
});
