import {
  createEvent,
  decodeEvent,
  subjects,
  TransientError,
  telemetry,
  ValidationError,
} from "@cml-telemetry/contracts";
import { waitFor } from "@cml-telemetry/testing";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { type Delivery, startConsumeLoop } from "./consume-loop.ts";
import { silentLogger } from "./logger.ts";
import { createOpsPublisher } from "./ops-publisher.ts";
import { provisionTopology } from "./provision.ts";
import { publishEvent } from "./publish.ts";
import { useNatsTopology } from "./testing/use-nats-topology.ts";
import { createWindowedPublisher } from "./windowed-publisher.ts";

const workerId = "8f0b7a56-3a55-5a41-9a0c-6c1b2f7d9e10";

function statusEvent(id: string, observedAt = new Date()) {
  return createEvent(telemetry.ec2Status, {
    source: "collector-ec2",
    subject: workerId,
    id,
    data: { ...telemetry.ec2Status.example, workerId, observedAt: observedAt.toISOString() },
  });
}

/** Publishes `count` EC2 status observations with ids `<prefix>-<n>` and waits for all of them to be stored. */
async function publishStatusEvents(prefix: string, count: number): Promise<void> {
  const publisher = createWindowedPublisher(jetstream(nats.nc));
  for (let i = 0; i < count; i += 1)
    await publisher.publish(subjects.telemetry("ec2", workerId), statusEvent(`${prefix}-${i}`));
  await publisher.flush();
}

const nats = useNatsTopology();

describe("provisioning", () => {
  it("creates every stream and KV bucket per the contract, and a second run changes nothing", async () => {
    const jsm = await jetstreamManager(nats.nc);
    const before = await jsm.streams.info(nats.topology.streams.telemetry.name);
    expect(before.config.duplicate_window).toBe(120 * 1e9);
    expect(before.config.max_age).toBe(7 * 86_400 * 1e9);
    expect((await jsm.streams.info(nats.topology.streams.commands.name)).config.retention).toBe("workqueue");
    await provisionTopology(nats.nc, nats.topology, { logger: silentLogger });
    const after = await jsm.streams.info(nats.topology.streams.telemetry.name);
    expect(after.created).toBe(before.created);
    expect(after.config).toEqual(before.config);
    const kv = await jsm.streams.info(`KV_${nats.topology.kv.workers.bucket}`);
    expect(kv.config.max_msgs_per_subject).toBe(1);
    expect(kv.config.max_age).toBe(0);
    const refreshes = await jsm.streams.info(`KV_${nats.topology.kv.refreshes.bucket}`);
    expect(refreshes.config.max_msgs_per_subject).toBe(1);
    expect(refreshes.config.max_age).toBe(3600 * 1e9);
  });
});

describe("publishing", () => {
  it("drops a duplicate Nats-Msg-Id within the dedupe window", async () => {
    const js = jetstream(nats.nc);
    const first = await publishEvent(js, subjects.telemetry("ec2", workerId), statusEvent("dup-1"));
    const second = await publishEvent(js, subjects.telemetry("ec2", workerId), statusEvent("dup-1"));
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
    const jsm = await jetstreamManager(nats.nc);
    expect((await jsm.streams.info(nats.topology.streams.telemetry.name)).state.messages).toBe(1);
  });

  it("publishes in bulk through a window and reports duplicates on flush", async () => {
    const publisher = createWindowedPublisher(jetstream(nats.nc), { window: 8 });
    for (let i = 0; i < 50; i += 1)
      await publisher.publish(subjects.telemetry("ec2", workerId), statusEvent(`bulk-${i % 40}`));
    expect(await publisher.flush()).toEqual({ published: 50, duplicates: 10 });
  });
});

describe("consume loop", () => {
  it("terms a malformed message and a wrong-schema message, and handles the next good one", async () => {
    const js = jetstream(nats.nc);
    const subject = subjects.telemetry("ec2", workerId);
    await js.publish(subject, new TextEncoder().encode("{not json"), { msgID: "bad-json" });
    await js.publish(
      subject,
      new TextEncoder().encode(
        JSON.stringify({
          specversion: "1.0",
          id: "x",
          source: "/s",
          type: telemetry.ec2Status.type,
          data: { nope: 1 },
        }),
      ),
    );
    await publishEvent(js, subject, statusEvent("good-1"));
    const handled: string[] = [];
    const outcomes: string[] = [];
    const loop = await startConsumeLoop({
      nc: nats.nc,
      stream: nats.topology.streams.telemetry.name,
      durable: "test-malformed",
      filterSubject: "cml.telemetry.>",
      logger: silentLogger,
      onOutcome: (outcome) => outcomes.push(outcome),
      handler: async (delivery: Delivery) => {
        const data = delivery.event.data as Record<string, unknown>;
        if (!("instanceState" in data))
          throw new ValidationError("wrong schema", [{ field: "data.instanceState", message: "required" }]);
        handled.push(delivery.event.id);
      },
    });
    await waitFor(() => outcomes.length === 3, { what: "three outcomes" });
    await loop.stop();
    expect(handled).toEqual(["good-1"]);
    expect(outcomes).toEqual(["term", "term", "ack"]);
    const jsm = await jetstreamManager(nats.nc);
    await waitFor(
      async () => {
        const info = await jsm.consumers.info(nats.topology.streams.telemetry.name, "test-malformed");
        return info.num_ack_pending === 0 && info.num_pending === 0;
      },
      { what: "all three settled at the server" },
    );
  });

  it("redelivers a message after a TransientError", async () => {
    await publishEvent(jetstream(nats.nc), subjects.telemetry("ec2", workerId), statusEvent("flaky-1"));
    const attempts: number[] = [];
    const loop = await startConsumeLoop({
      nc: nats.nc,
      stream: nats.topology.streams.telemetry.name,
      durable: "test-transient",
      filterSubject: "cml.telemetry.>",
      logger: silentLogger,
      backoffMs: () => 50,
      handler: async (delivery) => {
        attempts.push(delivery.deliveryCount);
        if (delivery.deliveryCount < 3) throw new TransientError("store unavailable");
      },
    });
    await waitFor(() => attempts.length === 3, { what: "three attempts" });
    await loop.stop();
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("redelivers failed messages after their delay, not after the ack wait, with replicas pulling side by side", {
    timeout: 120_000,
  }, async () => {
    // Production's shape: two replicas, whole-fetch batches, every message failing once with the default 1 s
    // backoff. Without the delay spread about 1 redelivery in 200 came back only after the 60 s ack wait.
    const rounds = 10;
    const perRound = 20;
    const firstSeen = new Map<string, number>();
    const retriedAfterMs = new Map<string, number>();
    const startLoop = () =>
      startConsumeLoop({
        nc: nats.nc,
        stream: nats.topology.streams.telemetry.name,
        durable: "test-retry-delay",
        filterSubject: "cml.telemetry.>",
        logger: silentLogger,
        batchSize: 5,
        batchMode: "whole-fetch",
        ackWaitMs: 60_000,
        batchHandler: async (deliveries) =>
          deliveries.map(({ event }) => {
            const first = firstSeen.get(event.id);
            if (first === undefined) {
              firstSeen.set(event.id, performance.now());
              return new TransientError("store unavailable");
            }
            if (!retriedAfterMs.has(event.id)) retriedAfterMs.set(event.id, performance.now() - first);
            return undefined;
          }),
      });
    const loops = [await startLoop(), await startLoop()];
    try {
      for (let round = 0; round < rounds; round += 1) {
        await publishStatusEvents(`retry-${round}`, perRound);
        await waitFor(() => retriedAfterMs.size === (round + 1) * perRound, {
          what: `round ${round + 1}: every message retried`,
          timeoutMs: 15_000,
        });
      }
    } finally {
      await Promise.all(loops.map((loop) => loop.stop()));
    }
    const delays = [...retriedAfterMs.values()];
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(990);
    expect(Math.max(...delays)).toBeLessThan(10_000);
  });

  it("terms an unexpected error after maxDeliver attempts", async () => {
    await publishEvent(jetstream(nats.nc), subjects.telemetry("ec2", workerId), statusEvent("broken-1"));
    const outcomes: string[] = [];
    const loop = await startConsumeLoop({
      nc: nats.nc,
      stream: nats.topology.streams.telemetry.name,
      durable: "test-maxdeliver",
      filterSubject: "cml.telemetry.>",
      logger: silentLogger,
      maxDeliver: 2,
      backoffMs: () => 20,
      onOutcome: (outcome) => outcomes.push(outcome),
      handler: async () => {
        throw new Error("bug");
      },
    });
    await waitFor(() => outcomes.length === 2, { what: "two outcomes" });
    await loop.stop();
    expect(outcomes).toEqual(["nak", "term"]);
  });

  it("drains on stop: everything handled is acked and the rest is delivered to the next consumer instance", async () => {
    const total = 300;
    await publishStatusEvents("drain", total);
    const seen = new Set<string>();
    const first = await startConsumeLoop({
      nc: nats.nc,
      stream: nats.topology.streams.telemetry.name,
      durable: "test-drain",
      filterSubject: "cml.telemetry.>",
      logger: silentLogger,
      batchSize: 10,
      batchHandler: async (deliveries) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        for (const delivery of deliveries) seen.add(delivery.event.id);
        return deliveries.map(() => undefined);
      },
    });
    await waitFor(() => seen.size >= 50, { what: "first 50" });
    await first.stop();
    const afterStop = seen.size;
    const jsm = await jetstreamManager(nats.nc);
    const info = await jsm.consumers.info(nats.topology.streams.telemetry.name, "test-drain");
    expect(info.ack_floor.stream_seq).toBeGreaterThanOrEqual(50);
    // Nothing handled is left unacked, and no message is stranded on an abandoned pull request.
    await waitFor(
      async () =>
        (await jsm.consumers.info(nats.topology.streams.telemetry.name, "test-drain")).num_ack_pending === 0,
      {
        what: "acks of the stopped loop",
      },
    );
    expect(info.num_pending + afterStop).toBeGreaterThanOrEqual(total);
    const second = await startConsumeLoop({
      nc: nats.nc,
      stream: nats.topology.streams.telemetry.name,
      durable: "test-drain",
      filterSubject: "cml.telemetry.>",
      logger: silentLogger,
      ackWaitMs: 1_000,
      batchHandler: async (deliveries) => {
        for (const delivery of deliveries) seen.add(delivery.event.id);
        return deliveries.map(() => undefined);
      },
    });
    await waitFor(() => seen.size === total, { what: "all messages", timeoutMs: 10_000 });
    await second.stop();
    const final = await jsm.consumers.info(nats.topology.streams.telemetry.name, "test-drain");
    expect(final.num_pending).toBe(0);
    await waitFor(
      async () =>
        (await jsm.consumers.info(nats.topology.streams.telemetry.name, "test-drain")).num_ack_pending === 0,
      {
        what: "no pending acks",
      },
    );
  });
});

describe("slow handlers", () => {
  it("handles up to `concurrency` batches at once, acks every message, and waits for them on stop", async () => {
    const total = 200;
    await publishStatusEvents("concurrent", total);
    let running = 0;
    let most = 0;
    const acked = new Set<string>();
    // Collected and asserted after the loop: an expect thrown inside onOutcome would land in the consume loop.
    const outcomes: string[] = [];
    const loop = await startConsumeLoop({
      nc: nats.nc,
      stream: nats.topology.streams.telemetry.name,
      durable: "test-concurrency",
      filterSubject: "cml.telemetry.>",
      logger: silentLogger,
      batchSize: 10,
      concurrency: 3,
      onOutcome: (outcome) => outcomes.push(outcome),
      batchHandler: async (deliveries) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 30));
        running -= 1;
        for (const delivery of deliveries) acked.add(delivery.event.id);
        return deliveries.map(() => undefined);
      },
    });
    await waitFor(() => acked.size >= 100, { what: "half the messages" });
    await loop.stop();
    expect(running).toBe(0);
    expect(most).toBe(3);
    const jsm = await jetstreamManager(nats.nc);
    const info = await jsm.consumers.info(nats.topology.streams.telemetry.name, "test-concurrency");
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending + acked.size).toBe(total);
    expect(outcomes).toHaveLength(acked.size);
    expect(outcomes.filter((outcome) => outcome !== "ack")).toEqual([]);
  });

  it("forms each batch when a handler is free, from everything read meanwhile: full batches under load", async () => {
    const total = 300;
    await publishStatusEvents("full", total);
    const sizes: number[] = [];
    const loop = await startConsumeLoop({
      nc: nats.nc,
      stream: nats.topology.streams.telemetry.name,
      durable: "test-full-batches",
      filterSubject: "cml.telemetry.>",
      logger: silentLogger,
      batchSize: 50,
      batchHandler: async (batch) => {
        // Long enough for the next fetch to arrive meanwhile, even on a busy machine.
        await new Promise((resolve) => setTimeout(resolve, 200));
        sizes.push(batch.length);
        return batch.map(() => undefined);
      },
    });
    await waitFor(() => sizes.reduce((sum, size) => sum + size, 0) === total, { what: "all handled" });
    await loop.stop();
    // The first batch starts with what has arrived; while it runs, the next fetches are read ahead. A loop that
    // formed batches as messages arrived would hand over a message or a few at a time here.
    expect(sizes.slice(1, -1).every((size) => size === 50)).toBe(true);
    expect(sizes.length).toBeLessThanOrEqual(total / 50 + 1);
  });

  it("a batch that outlasts the fetch heartbeats neither fails the fetch nor strands messages", async () => {
    await publishStatusEvents("slow", 30);
    const deliveries: number[] = [];
    const warnings: string[] = [];
    const loop = await startConsumeLoop({
      nc: nats.nc,
      stream: nats.topology.streams.telemetry.name,
      durable: "test-slow",
      filterSubject: "cml.telemetry.>",
      logger: { ...silentLogger, warn: (_fields, message) => warnings.push(message ?? "") },
      batchSize: 10,
      batchHandler: async (batch) => {
        // Longer than two fetch heartbeats (2 × 500 ms).
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        for (const delivery of batch) deliveries.push(delivery.deliveryCount);
        return batch.map(() => undefined);
      },
    });
    await waitFor(() => deliveries.length >= 30, { what: "all 30 handled", timeoutMs: 20_000 });
    await loop.stop();
    expect(deliveries.every((count) => count === 1)).toBe(true);
    expect(warnings.filter((message) => message.includes("fetch failed"))).toEqual([]);
  });
});

describe("progress", () => {
  it("keeps running and prefetched messages alive past their ack wait with working()", async () => {
    await publishStatusEvents("long", 20);
    const deliveries: number[] = [];
    const loop = await startConsumeLoop({
      nc: nats.nc,
      stream: nats.topology.streams.telemetry.name,
      durable: "test-progress",
      filterSubject: "cml.telemetry.>",
      logger: silentLogger,
      batchSize: 10,
      ackWaitMs: 1_000,
      progressIntervalMs: 300,
      batchHandler: async (batch) => {
        // Each batch outlasts the ack wait, and the next one waits read ahead meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        for (const delivery of batch) deliveries.push(delivery.deliveryCount);
        return batch.map(() => undefined);
      },
    });
    await waitFor(() => deliveries.length >= 20, { what: "all 20 handled", timeoutMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await loop.stop();
    expect(deliveries).toHaveLength(20);
    expect(deliveries.every((count) => count === 1)).toBe(true);
  });
});

describe("ops publisher", () => {
  it("publishes job events to CML_OPS and never throws when the stream is absent", async () => {
    const ops = createOpsPublisher({ nc: nats.nc, service: "collector-cml", logger: silentLogger });
    ops.jobStarted({ jobId: "j1", jobName: "collect-cml" });
    ops.jobCompleted({ jobId: "j1", jobName: "collect-cml", entriesProcessed: 3, durationMs: 12 });
    await ops.flush();
    const jsm = await jetstreamManager(nats.nc);
    expect((await jsm.streams.info(nats.topology.streams.ops.name)).state.messages).toBe(2);
    for (const seq of [1, 2]) {
      const stored = await jsm.streams.getMessage(nats.topology.streams.ops.name, { seq });
      expect(stored?.header.get("Nats-Msg-Id"), `message ${seq}`).toBe(
        decodeEvent(stored?.data ?? new Uint8Array()).id,
      );
    }
    await jsm.streams.delete(nats.topology.streams.ops.name);
    expect(() =>
      ops.jobFailed({
        jobId: "j2",
        jobName: "collect-cml",
        errorMessage: "x",
        errorType: "Error",
        durationMs: 1,
      }),
    ).not.toThrow();
    await ops.flush();
    expect(ops.dropped()).toBe(1);
  });
});
