import { afterEach, describe, expect, it } from "vitest";
import { InvalidHistoryInputError } from "../errors.ts";
import type { MetricSample, WorkerMetricsStore } from "../types.ts";
import { buildSample } from "./sample-builders.ts";

/** How to run {@link describeWorkerMetricsStoreContract} against one store implementation. */
export type StoreContractOptions = {
  /** Shown in the suite title. */
  name: string;
  /** A fresh, empty store per test; the suite closes it after the test. */
  createStore: (options: { retentionDays: number }) => Promise<WorkerMetricsStore>;
  /**
   * `true` when `enforceRetention(now)` deletes expired samples itself (embedded); `false` when the database
   * expires them on its own schedule (MongoDB TTL) and `enforceRetention` only verifies the setting.
   */
  removesExpiredSamplesOnEnforce: boolean;
  /**
   * `true` for a store that measures the bytes it uses (embedded, a real MongoDB server); `false` for one that cannot
   * (the MongoDB store on the in-memory stand-in), which must then report them as unknown rather than make one up.
   */
  measuresStorage: boolean;
};

/** Far enough that samples of the fixed test dates never expire while a test runs (and below MongoDB's TTL cap). */
const LONG_RETENTION_DAYS = 3650;
const T0 = "2026-11-02T00:00:00.000Z";
const at = (offsetSeconds: number): Date => new Date(Date.parse(T0) + offsetSeconds * 1000);
const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

/**
 * The behaviour every {@link WorkerMetricsStore} must have. Call inside a test file:
 *
 * @example
 * describeWorkerMetricsStoreContract({
 *   name: "embedded",
 *   createStore: async ({ retentionDays }) => createEmbeddedStore({ retentionDays }),
 *   removesExpiredSamplesOnEnforce: true,
 *   measuresStorage: true,
 * });
 */
export function describeWorkerMetricsStoreContract(options: StoreContractOptions): void {
  describe(`WorkerMetricsStore contract: ${options.name}`, () => {
    const opened: WorkerMetricsStore[] = [];
    const open = async (retentionDays = LONG_RETENTION_DAYS): Promise<WorkerMetricsStore> => {
      const store = await options.createStore({ retentionDays });
      opened.push(store);
      return store;
    };
    const seeded = async (samples: MetricSample[]): Promise<WorkerMetricsStore> => {
      const store = await open();
      await store.addSamples(samples);
      return store;
    };

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    describe("getSamples", () => {
      it("returns a worker's samples in ascending time, ties in source order, whatever the insertion order", async () => {
        const store = await seeded([
          buildSample(at(120), "cloudwatch", { cpu: 3 }),
          buildSample(at(0), "cml", { labsCount: 1 }),
          buildSample(at(60), "cloudwatch", { cpu: 2 }),
          buildSample(at(0), "ec2", { status: 1, statusName: "RUNNING" }),
          buildSample(at(0), "cloudwatch", { cpu: 1 }),
          buildSample(at(60), "cml", { labsCount: 2, workerId: "worker-b" }),
        ]);

        const samples = await store.getSamples("worker-a", at(0), at(DAY));

        expect(samples.map((s) => [s.timestamp.toISOString(), s.meta.source])).toEqual([
          [at(0).toISOString(), "ec2"],
          [at(0).toISOString(), "cloudwatch"],
          [at(0).toISOString(), "cml"],
          [at(60).toISOString(), "cloudwatch"],
          [at(120).toISOString(), "cloudwatch"],
        ]);
      });

      it("returns every stored field and omits absent ones", async () => {
        const store = await seeded([
          buildSample(at(0), "ec2", {
            region: "eu-west-1",
            status: 3,
            statusName: "STOPPED",
            instanceStatus: "not-applicable",
            systemStatus: "ok",
          }),
          buildSample(at(0), "cml", {
            region: "eu-west-1",
            labsCount: 4,
            runningLabsCount: 2,
            uptimeSeconds: 123_456_789,
            cpuPercent: 12.345678901,
            memoryUsedPercent: 0,
          }),
          buildSample(at(0), "cloudwatch", { region: "eu-west-1", cpu: 0.1 }),
        ]);

        const samples = await store.getSamples("worker-a", at(0), at(1));

        expect(samples).toEqual([
          {
            timestamp: at(0),
            meta: { workerId: "worker-a", region: "eu-west-1", source: "ec2" },
            status: 3,
            statusName: "STOPPED",
            instanceStatus: "not-applicable",
            systemStatus: "ok",
          },
          {
            timestamp: at(0),
            meta: { workerId: "worker-a", region: "eu-west-1", source: "cloudwatch" },
            cpu: 0.1,
          },
          {
            timestamp: at(0),
            meta: { workerId: "worker-a", region: "eu-west-1", source: "cml" },
            labsCount: 4,
            runningLabsCount: 2,
            uptimeSeconds: 123_456_789,
            cpuPercent: 12.345678901,
            memoryUsedPercent: 0,
          },
        ]);
      });

      it("includes `from` and excludes `to`", async () => {
        const store = await seeded([
          buildSample(new Date(at(0).getTime() - 1), "cloudwatch", { cpu: 1 }),
          buildSample(at(0), "cloudwatch", { cpu: 2 }),
          buildSample(new Date(at(HOUR).getTime() - 1), "cloudwatch", { cpu: 3 }),
          buildSample(at(HOUR), "cloudwatch", { cpu: 4 }),
        ]);

        const samples = await store.getSamples("worker-a", at(0), at(HOUR));

        expect(samples.map((s) => s.cpu)).toEqual([2, 3]);
        expect(await store.getSamples("worker-a", at(0), at(0))).toEqual([]);
      });

      it("filters by source", async () => {
        const store = await seeded([
          buildSample(at(0), "ec2", { status: 1 }),
          buildSample(at(0), "cloudwatch", { cpu: 1 }),
          buildSample(at(0), "cml", { labsCount: 1 }),
        ]);

        const samples = await store.getSamples("worker-a", at(0), at(DAY), { sources: ["cml", "ec2"] });

        expect(samples.map((s) => s.meta.source)).toEqual(["ec2", "cml"]);
        expect(await store.getSamples("worker-a", at(0), at(DAY), { sources: [] })).toEqual([]);
      });

      it("limits to the oldest samples across sources", async () => {
        const samples: MetricSample[] = [];
        for (let i = 9; i >= 0; i--) {
          samples.push(buildSample(at(i * MINUTE), "cloudwatch", { cpu: i }));
          samples.push(buildSample(at(i * MINUTE + 30), "cml", { labsCount: i }));
        }
        const store = await seeded(samples);

        const limited = await store.getSamples("worker-a", at(0), at(DAY), { limit: 3 });

        expect(limited.map((s) => [s.meta.source, s.cpu ?? s.labsCount])).toEqual([
          ["cloudwatch", 0],
          ["cml", 0],
          ["cloudwatch", 1],
        ]);
      });

      it("returns nothing for an unknown worker", async () => {
        const store = await seeded([buildSample(at(0), "cloudwatch", { cpu: 1 })]);

        expect(await store.getSamples("worker-unknown", at(0), at(DAY))).toEqual([]);
      });

      it("rejects a reversed range and a non-positive limit", async () => {
        const store = await open();

        await expect(store.getSamples("worker-a", at(10), at(0))).rejects.toBeInstanceOf(
          InvalidHistoryInputError,
        );
        await expect(store.getSamples("worker-a", at(0), at(10), { limit: 0 })).rejects.toBeInstanceOf(
          InvalidHistoryInputError,
        );
      });
    });

    describe("duplicates", () => {
      it("stores one observation once, whether repeated in a batch, across batches or under another event id", async () => {
        const store = await open();
        const first = buildSample(at(0), "cloudwatch", { cpu: 10 });

        const firstResult = await store.addSamples([
          first,
          first,
          buildSample(at(MINUTE), "cloudwatch", { cpu: 30 }),
        ]);
        const redelivery = await store.addSamples([
          first,
          { ...first, id: "another-event-same-observation" },
          buildSample(at(2 * MINUTE), "cloudwatch", { cpu: 50 }),
        ]);

        expect(firstResult).toEqual({ inserted: 2, duplicates: 1 });
        expect(redelivery).toEqual({ inserted: 1, duplicates: 2 });
        expect((await store.getSamples("worker-a", at(0), at(DAY))).map((s) => s.cpu)).toEqual([10, 30, 50]);
        const [bucket] = await store.getAggregatedStats("worker-a", at(0), at(DAY), HOUR);
        expect(bucket?.count).toBe(3);
        expect(bucket?.metrics.cpu).toEqual({ count: 3, avg: 30, min: 10, max: 50 });
        expect((await store.stats()).samples).toBe(3);
      });

      it("keeps samples of different sources or workers at the same instant apart", async () => {
        const store = await open();

        const result = await store.addSamples([
          buildSample(at(0), "cloudwatch", { cpu: 1 }),
          buildSample(at(0), "cml", { cpuPercent: 2 }),
          buildSample(at(0), "cloudwatch", { cpu: 3, workerId: "worker-b" }),
        ]);

        expect(result).toEqual({ inserted: 3, duplicates: 0 });
      });
    });

    describe("getAggregatedStats", () => {
      it("computes count/avg/min/max per metric, omitting metrics without values", async () => {
        const store = await seeded([
          buildSample(at(0), "cloudwatch", { cpu: 10, memory: 40 }),
          buildSample(at(5 * MINUTE), "cloudwatch", { cpu: 20 }),
          buildSample(at(10 * MINUTE), "cloudwatch", { cpu: 60, memory: 50 }),
          buildSample(at(0), "cml", { labsCount: 2, runningLabsCount: 1 }),
          buildSample(at(5 * MINUTE), "cml", { labsCount: 4 }),
        ]);

        const buckets = await store.getAggregatedStats("worker-a", at(0), at(HOUR), HOUR);

        expect(buckets).toEqual([
          {
            start: at(0),
            source: "cloudwatch",
            count: 3,
            metrics: {
              cpu: { count: 3, avg: 30, min: 10, max: 60 },
              memory: { count: 2, avg: 45, min: 40, max: 50 },
            },
          },
          {
            start: at(0),
            source: "cml",
            count: 2,
            metrics: {
              labsCount: { count: 2, avg: 3, min: 2, max: 4 },
              runningLabsCount: { count: 1, avg: 1, min: 1, max: 1 },
            },
          },
        ]);
      });

      it("aligns buckets to the interval in UTC epoch time and omits empty buckets", async () => {
        const store = await seeded([
          buildSample(new Date(at(10 * HOUR).getTime() - 1), "cloudwatch", { cpu: 1 }),
          buildSample(at(10 * HOUR), "cloudwatch", { cpu: 2 }),
          buildSample(at(10 * HOUR + 30 * MINUTE), "cloudwatch", { cpu: 4 }),
          buildSample(at(13 * HOUR + 5 * MINUTE), "cloudwatch", { cpu: 8 }),
        ]);

        const buckets = await store.getAggregatedStats("worker-a", at(0), at(DAY), HOUR);

        expect(buckets.map((b) => [b.start.toISOString(), b.count, b.metrics.cpu?.avg])).toEqual([
          [at(9 * HOUR).toISOString(), 1, 1],
          [at(10 * HOUR).toISOString(), 2, 3],
          [at(13 * HOUR).toISOString(), 1, 8],
        ]);
      });

      it("aligns intervals that do not divide a day to the epoch too (7 minutes, 7 days)", async () => {
        const times = [at(0), at(17 * MINUTE), at(3 * DAY), at(9 * DAY + 5)];
        const store = await seeded(times.map((t, i) => buildSample(t, "cloudwatch", { cpu: i })));
        const epochAligned = (t: Date, seconds: number): string =>
          new Date(Math.floor(t.getTime() / (seconds * 1000)) * seconds * 1000).toISOString();

        for (const seconds of [7 * MINUTE, 7 * DAY]) {
          const buckets = await store.getAggregatedStats("worker-a", at(-DAY), at(30 * DAY), seconds);
          const expected = [...new Set(times.map((t) => epochAligned(t, seconds)))];
          expect(buckets.map((b) => b.start.toISOString())).toEqual(expected);
          expect(buckets.reduce((sum, b) => sum + b.count, 0)).toBe(times.length);
        }
      });

      it("counts only samples inside [from, to) even when the first bucket starts before `from`", async () => {
        const store = await seeded([
          buildSample(at(10 * MINUTE), "cloudwatch", { cpu: 100 }),
          buildSample(at(40 * MINUTE), "cloudwatch", { cpu: 20 }),
          buildSample(at(HOUR), "cloudwatch", { cpu: 999 }),
        ]);

        const buckets = await store.getAggregatedStats("worker-a", at(30 * MINUTE), at(HOUR), HOUR);

        expect(buckets).toEqual([
          {
            start: at(0),
            source: "cloudwatch",
            count: 1,
            metrics: { cpu: { count: 1, avg: 20, min: 20, max: 20 } },
          },
        ]);
      });

      it("filters by source and by metric", async () => {
        const store = await seeded([
          buildSample(at(0), "cloudwatch", { cpu: 10, memory: 40 }),
          buildSample(at(0), "cml", { cpuPercent: 11, labsCount: 1 }),
          buildSample(at(0), "ec2", { status: 1 }),
        ]);

        const buckets = await store.getAggregatedStats("worker-a", at(0), at(HOUR), HOUR, {
          sources: ["cloudwatch", "cml"],
          metrics: ["cpu", "cpuPercent"],
        });

        expect(buckets).toEqual([
          {
            start: at(0),
            source: "cloudwatch",
            count: 1,
            metrics: { cpu: { count: 1, avg: 10, min: 10, max: 10 } },
          },
          {
            start: at(0),
            source: "cml",
            count: 1,
            metrics: { cpuPercent: { count: 1, avg: 11, min: 11, max: 11 } },
          },
        ]);
      });

      it("keeps a bucket whose samples lack the selected metrics, with empty metrics", async () => {
        const store = await seeded([buildSample(at(0), "ec2", { status: 1, statusName: "RUNNING" })]);

        const buckets = await store.getAggregatedStats("worker-a", at(0), at(HOUR), HOUR, {
          metrics: ["cpu"],
        });

        expect(buckets).toEqual([{ start: at(0), source: "ec2", count: 1, metrics: {} }]);
      });

      it("averages exactly over many samples", async () => {
        const samples = Array.from({ length: 288 }, (_, i) =>
          buildSample(at(i * 5 * MINUTE), "cml", { cpuPercent: (i % 10) + 0.5 }),
        );
        const store = await seeded(samples);

        const buckets = await store.getAggregatedStats("worker-a", at(0), at(DAY), DAY);

        expect(buckets).toHaveLength(1);
        const stats = buckets[0]?.metrics.cpuPercent;
        expect(stats?.count).toBe(288);
        expect(stats?.min).toBe(0.5);
        expect(stats?.max).toBe(9.5);
        const expectedAvg = samples.reduce((sum, s) => sum + (s.cpuPercent ?? 0), 0) / samples.length;
        expect(stats?.avg).toBeCloseTo(expectedAvg, 9);
      });

      it("rejects a non-positive or fractional interval", async () => {
        const store = await open();

        for (const interval of [0, -60, 1.5]) {
          await expect(
            store.getAggregatedStats("worker-a", at(0), at(HOUR), interval),
          ).rejects.toBeInstanceOf(InvalidHistoryInputError);
        }
      });
    });

    describe("addSamples", () => {
      it("rejects a malformed sample and stores nothing of its batch", async () => {
        const store = await open();

        await expect(
          store.addSamples([
            buildSample(at(0), "cloudwatch", { cpu: 1 }),
            buildSample(at(MINUTE), "cloudwatch", { cpu: Number.NaN }),
          ]),
        ).rejects.toBeInstanceOf(InvalidHistoryInputError);
        expect(await store.getSamples("worker-a", at(0), at(DAY))).toEqual([]);
      });
    });

    describe("retention", () => {
      it("keeps samples inside the retention window (history outlives the worker)", async () => {
        const store = await open(LONG_RETENTION_DAYS);
        await store.addSamples([buildSample(at(0), "ec2", { status: 5, statusName: "TERMINATED" })]);

        await store.enforceRetention(at(30 * DAY));

        expect(await store.getSamples("worker-a", at(0), at(DAY))).toHaveLength(1);
      });

      if (options.removesExpiredSamplesOnEnforce) {
        it("removes samples older than the retention window", async () => {
          const store = await open(7);
          await store.addSamples([
            buildSample(at(0), "cloudwatch", { cpu: 1 }),
            buildSample(at(DAY), "cml", { labsCount: 1 }),
            buildSample(at(4 * DAY), "cloudwatch", { cpu: 2 }),
            buildSample(at(9 * DAY), "cloudwatch", { cpu: 3 }),
          ]);

          const result = await store.enforceRetention(at(10 * DAY));

          expect(result).toEqual({ removed: 2 });
          const left = await store.getSamples("worker-a", at(0), at(30 * DAY));
          expect(left.map((s) => s.cpu)).toEqual([2, 3]);
          expect((await store.stats()).samples).toBe(2);
        });
      } else {
        it("leaves expiry to the database and reports nothing removed", async () => {
          const store = await open(LONG_RETENTION_DAYS);
          await store.addSamples([buildSample(at(0), "cloudwatch", { cpu: 1 })]);

          expect(await store.enforceRetention(at(30 * DAY))).toEqual({ removed: 0 });
        });
      }
    });

    describe("stats", () => {
      const fifty = () =>
        Array.from({ length: 50 }, (_, i) =>
          buildSample(at(i * MINUTE), "cloudwatch", { cpu: i, memory: i }),
        );

      it("reports the number of samples", async () => {
        const store = await open();
        await store.addSamples(fifty());

        expect((await store.stats()).samples).toBe(50);
      });

      if (options.measuresStorage) {
        it("reports the bytes used", async () => {
          const store = await open();
          await store.addSamples(fifty());

          expect((await store.stats()).bytes).toBeGreaterThan(0);
        });
      } else {
        it("reports the bytes used as unknown, never a made-up figure", async () => {
          const store = await open();
          await store.addSamples(fifty());

          expect((await store.stats()).bytes).toBeNull();
        });
      }
    });
  });
}
