import { describe, expect, it } from "vitest";
import { buildSample } from "../testing/sample-builders.ts";
import { describeWorkerMetricsStoreContract } from "../testing/store-contract.ts";
import { createEmbeddedStore } from "./embedded-store.ts";

describeWorkerMetricsStoreContract({
  name: "embedded",
  createStore: async ({ retentionDays }) => createEmbeddedStore({ retentionDays }),
  removesExpiredSamplesOnEnforce: true,
  measuresStorage: true,
});

const T0 = Date.parse("2026-11-02T00:00:00.000Z");
const at = (seconds: number): Date => new Date(T0 + seconds * 1000);

describe("createEmbeddedStore", () => {
  it("keeps order and dedupe across chunk splits when thousands of samples arrive shuffled", async () => {
    const store = createEmbeddedStore({ retentionDays: 3650 });
    const count = 5000;
    const order = Array.from({ length: count }, (_, i) => i);
    let seed = 7;
    for (let i = order.length - 1; i > 0; i--) {
      seed = (seed * 16_807) % 2_147_483_647;
      const j = seed % (i + 1);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }

    const added = await store.addSamples(order.map((i) => buildSample(at(i * 60), "cml", { labsCount: i })));
    const again = await store.addSamples(order.slice(0, 100).map((i) => buildSample(at(i * 60), "cml")));
    const samples = await store.getSamples("worker-a", at(0), at(count * 60));

    expect(added).toEqual({ inserted: count, duplicates: 0 });
    expect(again).toEqual({ inserted: 0, duplicates: 100 });
    expect(samples.map((s) => s.labsCount)).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  it("clears a field's slot when a later sample without the field is inserted before it", async () => {
    const store = createEmbeddedStore({ retentionDays: 3650 });
    await store.addSamples([buildSample(at(120), "cloudwatch", { cpu: 5, memory: 7 })]);
    await store.addSamples([buildSample(at(60), "cloudwatch", { cpu: 3 })]);

    const samples = await store.getSamples("worker-a", at(0), at(600));

    expect(samples.map((s) => [s.cpu, s.memory])).toEqual([
      [3, undefined],
      [5, 7],
    ]);
  });

  it("removes whole chunks and partial chunks on retention and keeps accepting samples", async () => {
    const store = createEmbeddedStore({ retentionDays: 1 });
    await store.addSamples(
      Array.from({ length: 3000 }, (_, i) => buildSample(at(i * 60), "cloudwatch", { cpu: i })),
    );

    const { removed } = await store.enforceRetention(at(3000 * 60 + 86_400 - 1500 * 60));
    await store.addSamples([buildSample(at(1499 * 60), "cloudwatch", { cpu: -1 })]);
    const samples = await store.getSamples("worker-a", at(0), at(4000 * 60));

    expect(removed).toBe(1500);
    expect(samples).toHaveLength(1501);
    expect(samples[0]?.cpu).toBe(-1);
    expect(samples[1]?.cpu).toBe(1500);
  });

  it("rejects a non-positive retention and use after close", async () => {
    expect(() => createEmbeddedStore({ retentionDays: 0 })).toThrow(/retentionDays/);
    const store = createEmbeddedStore({ retentionDays: 1 });
    await store.close();
    await expect(store.stats()).rejects.toThrow(/closed/);
  });
});
