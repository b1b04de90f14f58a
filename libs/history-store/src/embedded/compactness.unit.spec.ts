import { describe, expect, it } from "vitest";
import { generateFleetSamples } from "../testing/sample-builders.ts";
import { createEmbeddedStore } from "./embedded-store.ts";

describe("embedded store compactness", () => {
  it("stays under 64 bytes per sample for 500 workers x 3 sources x 7 days at 5-minute resolution", async () => {
    const store = createEmbeddedStore({ retentionDays: 30 });
    const load = { workers: 500, from: new Date("2026-11-02T00:00:00.000Z"), days: 7, stepSeconds: 300 };
    for (const batch of generateFleetSamples(load)) await store.addSamples(batch);

    const { samples, bytes: measured } = await store.stats();
    const bytes = measured ?? Number.NaN;
    const bytesPerSample = bytes / samples;
    console.log(
      `embedded store: ${samples} samples, ${(bytes / 1_048_576).toFixed(1)} MiB, ${bytesPerSample.toFixed(1)} bytes/sample`,
    );

    expect(samples).toBe(500 * 3 * 7 * 288);
    expect(bytesPerSample).toBeLessThanOrEqual(64);
    await store.close();
  });
});
