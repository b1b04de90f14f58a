import { TransientError, ValidationError } from "@cml-telemetry/contracts";
import {
  createEmbeddedStore,
  InvalidHistoryInputError,
  type MetricSample,
  StoreUnavailableError,
  type WorkerMetricsStore,
} from "@cml-telemetry/history-store";
import { describe, expect, it } from "vitest";
import { cloudwatchTelemetry, sourceFailedTelemetry, testWorker } from "../testing/index.ts";
import { writeTelemetryBatch } from "./write-telemetry-batch.ts";

const worker = testWorker(7);
const t0 = new Date("2026-11-25T10:00:00.000Z");
const minutes = (n: number): Date => new Date(t0.getTime() + n * 60_000);

function storeWith(addSamples: WorkerMetricsStore["addSamples"]): WorkerMetricsStore {
  return { ...createEmbeddedStore({ retentionDays: 30 }), addSamples };
}

describe("writeTelemetryBatch", () => {
  it("stores every sample of a batch and counts events without a sample", async () => {
    const store = createEmbeddedStore({ retentionDays: 30 });
    const events = [
      cloudwatchTelemetry(worker, minutes(0), { cpu: 10, memory: 20 }).event,
      cloudwatchTelemetry(worker, minutes(5), { cpu: 30, memory: 40 }).event,
      sourceFailedTelemetry(worker, "cml", minutes(5)).event,
    ];
    const result = await writeTelemetryBatch(store, events);
    expect(result).toEqual({
      results: [undefined, undefined, undefined],
      inserted: 2,
      duplicates: 0,
      withoutSample: 1,
    });
    expect(await store.getSamples(worker.workerId, minutes(0), minutes(10))).toHaveLength(2);
  });

  it("counts a redelivered or repeated observation as a duplicate", async () => {
    const store = createEmbeddedStore({ retentionDays: 30 });
    const first = cloudwatchTelemetry(worker, minutes(0), { cpu: 10, memory: 20 }).event;
    await writeTelemetryBatch(store, [first]);
    const again = await writeTelemetryBatch(store, [
      first,
      cloudwatchTelemetry(worker, minutes(0), { cpu: 10, memory: 20 }).event,
    ]);
    expect(again).toMatchObject({ inserted: 0, duplicates: 2 });
    expect((await store.stats()).samples).toBe(1);
  });

  it("terminates only the event with bad data and stores the rest", async () => {
    const store = createEmbeddedStore({ retentionDays: 30 });
    const good = cloudwatchTelemetry(worker, minutes(0), { cpu: 10, memory: 20 }).event;
    const bad = good.cloneWith({ id: "bad-1", data: { ...(good.data as object), observedAt: "yesterday" } });
    const result = await writeTelemetryBatch(store, [bad, good]);
    expect(result.results[0]).toBeInstanceOf(ValidationError);
    expect(result.results[0]?.field).toBe("data.observedAt");
    expect(result.results[1]).toBeUndefined();
    expect(result.inserted).toBe(1);
  });

  it("turns a store outage into a TransientError so the whole batch is retried", async () => {
    const store = storeWith(async () => {
      throw new StoreUnavailableError("connection refused");
    });
    const events = [cloudwatchTelemetry(worker, minutes(0), { cpu: 10, memory: 20 }).event];
    await expect(writeTelemetryBatch(store, events)).rejects.toBeInstanceOf(TransientError);
  });

  it("isolates a sample the store rejects and writes the others", async () => {
    const embedded = createEmbeddedStore({ retentionDays: 30 });
    const rejected = cloudwatchTelemetry(worker, minutes(5), { cpu: 50, memory: 50 }).event;
    const store = storeWith(async (samples: readonly MetricSample[]) => {
      if (samples.some((sample) => sample.id === rejected.id)) throw new InvalidHistoryInputError("rejected");
      return embedded.addSamples(samples);
    });
    const events = [cloudwatchTelemetry(worker, minutes(0), { cpu: 10, memory: 20 }).event, rejected];
    const result = await writeTelemetryBatch(store, events);
    expect(result.results[0]).toBeUndefined();
    expect(result.results[1]).toBeInstanceOf(ValidationError);
    expect(result.inserted).toBe(1);
  });
});
