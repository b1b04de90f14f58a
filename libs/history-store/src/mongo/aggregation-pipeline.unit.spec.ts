import { aggregate } from "mingo";
import { describe, expect, it } from "vitest";
import { createEmbeddedStore } from "../embedded/embedded-store.ts";
import { InvalidHistoryInputError } from "../errors.ts";
import { generateFleetSamples } from "../testing/sample-builders.ts";
import type { AggregatedBucket, AggregateOptions, MetricSample } from "../types.ts";
import { bucketStartExpression, buildAggregationPipeline } from "./aggregation-pipeline.ts";
import { toMetricDocument } from "./sample-document.ts";

const FROM = new Date("2026-11-02T00:00:00.000Z");
const DAY_MS = 86_400_000;

/** Fleet samples with irregular timestamps (jitter) so buckets get uneven counts. */
function loadSamples(): MetricSample[] {
  const samples = [...generateFleetSamples({ workers: 3, from: FROM, days: 9, stepSeconds: 1800 })].flat();
  return samples.map((sample, i) => ({
    ...sample,
    timestamp: new Date(sample.timestamp.getTime() + ((i * 7919) % 600_000)),
  }));
}

/** What MongoDB would hold: every sample, some delivered two or three times, in no particular order. */
function storedDocuments(samples: readonly MetricSample[]): object[] {
  const documents = samples.flatMap((sample, i) => {
    const copies = i % 5 === 0 ? 3 : i % 3 === 0 ? 2 : 1;
    return Array.from({ length: copies }, (_, copy) => ({
      _id: `${sample.id}#${copy}`,
      ...toMetricDocument(sample),
    }));
  });
  return documents.sort((a, b) =>
    a._id.split("").reverse().join() < b._id.split("").reverse().join() ? -1 : 1,
  );
}

/** Averages summed in another order may differ in the last bits; compare them to 9 decimals. */
const rounded = (buckets: readonly AggregatedBucket[]) =>
  buckets.map((bucket) => ({
    ...bucket,
    metrics: Object.fromEntries(
      Object.entries(bucket.metrics).map(([name, stats]) => [
        name,
        { ...stats, avg: Number(stats.avg.toFixed(9)) },
      ]),
    ),
  }));

describe("buildAggregationPipeline (run through mingo)", () => {
  const samples = loadSamples();
  const documents = storedDocuments(samples);

  const cases: Array<{ title: string; interval: number; from: Date; to: Date; opts?: AggregateOptions }> = [
    { title: "hourly over 7 days", interval: 3600, from: FROM, to: new Date(FROM.getTime() + 7 * DAY_MS) },
    {
      title: "5-minute buckets over an unaligned range",
      interval: 300,
      from: new Date(FROM.getTime() + 3 * DAY_MS + 123_456),
      to: new Date(FROM.getTime() + 4 * DAY_MS + 7_777),
    },
    { title: "daily", interval: 86_400, from: FROM, to: new Date(FROM.getTime() + 9 * DAY_MS) },
    {
      title: "7-minute buckets (not a divisor of a day: epoch arithmetic)",
      interval: 420,
      from: FROM,
      to: new Date(FROM.getTime() + DAY_MS),
    },
    {
      title: "weekly (epoch-aligned Thursdays)",
      interval: 7 * 86_400,
      from: new Date(FROM.getTime() - DAY_MS),
      to: new Date(FROM.getTime() + 10 * DAY_MS),
    },
    {
      title: "source and metric filters",
      interval: 3600,
      from: FROM,
      to: new Date(FROM.getTime() + 2 * DAY_MS),
      opts: { sources: ["cml", "ec2"], metrics: ["status", "labsCount", "cpu"] },
    },
  ];

  for (const { title, interval, from, to, opts } of cases) {
    it(`matches the embedded store: ${title}`, async () => {
      const store = createEmbeddedStore({ retentionDays: 3650 });
      await store.addSamples(samples);

      const expected = await store.getAggregatedStats("worker-0001", from, to, interval, opts);
      const actual = aggregate(documents, buildAggregationPipeline("worker-0001", from, to, interval, opts));

      expect(expected.length).toBeGreaterThan(0);
      expect(rounded(actual as AggregatedBucket[])).toEqual(rounded(expected));
      await store.close();
    });
  }

  it("uses $dateTrunc only where its 2000-01-01 reference gives epoch-aligned bins", () => {
    expect(bucketStartExpression("$t", 3600)).toEqual({
      $dateTrunc: { date: "$t", unit: "second", binSize: 3600 },
    });
    expect(bucketStartExpression("$t", 604_800)).toEqual({
      $subtract: ["$t", { $mod: [{ $toLong: "$t" }, 604_800_000] }],
    });
    const thursday = new Date("2026-11-05T12:00:00.000Z");
    const [raw] = aggregate(
      [{ t: thursday }],
      [{ $project: { _id: 0, start: { $dateTrunc: { date: "$t", unit: "second", binSize: 604_800 } } } }],
    );
    // 2000-01-01 was a Saturday, the epoch a Thursday: raw weekly $dateTrunc would disagree with the embedded store.
    expect(raw).toEqual({ start: new Date("2026-10-31T00:00:00.000Z") });
  });

  it("rejects invalid arguments like the stores do", () => {
    expect(() => buildAggregationPipeline("w", FROM, FROM, 0)).toThrow(InvalidHistoryInputError);
    expect(() => buildAggregationPipeline("w", new Date(FROM.getTime() + 1), FROM, 60)).toThrow(
      InvalidHistoryInputError,
    );
  });
});
