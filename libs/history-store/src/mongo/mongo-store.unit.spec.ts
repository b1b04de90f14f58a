import { MongoNetworkError } from "mongodb";
import { describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../errors.ts";
import { createInMemoryMongo } from "../testing/in-memory-mongo.ts";
import { buildSample } from "../testing/sample-builders.ts";
import { describeWorkerMetricsStoreContract } from "../testing/store-contract.ts";
import { createMongoStore } from "./mongo-store.ts";
import { toMetricDocument } from "./sample-document.ts";
import { METRICS_COLLECTION } from "./time-series-collection.ts";

const noWait = { sleep: async () => {} };

describeWorkerMetricsStoreContract({
  name: "mongodb store logic on an in-memory MongoDB",
  createStore: ({ retentionDays }) =>
    createMongoStore({
      client: createInMemoryMongo().client,
      dbName: "history",
      retentionDays,
      retry: noWait,
    }),
  removesExpiredSamplesOnEnforce: false,
  measuresStorage: false,
});

const FROM = new Date("2026-11-02T00:00:00Z");
const TO = new Date("2026-11-03T00:00:00Z");

describe("createMongoStore", () => {
  it("creates the time-series collection with TTL and index, and corrects the TTL on a later start", async () => {
    const mongo = createInMemoryMongo();
    await createMongoStore({ client: mongo.client, dbName: "history", retentionDays: 30 });
    await createMongoStore({ client: mongo.client, dbName: "history", retentionDays: 7 });
    const db = mongo.client.db("history");

    const [info] = await db.listCollections({ name: METRICS_COLLECTION }, { nameOnly: false }).toArray();
    const indexes = await db.collection(METRICS_COLLECTION).indexes();

    expect(info).toMatchObject({
      type: "timeseries",
      options: {
        timeseries: { timeField: "timestamp", metaField: "meta", granularity: "minutes" },
        expireAfterSeconds: 7 * 86_400,
      },
    });
    expect(indexes.map((index) => index.key)).toEqual([{ "meta.workerId": 1, timestamp: 1 }]);
  });

  it("refuses to use a plain collection of the same name", async () => {
    const mongo = createInMemoryMongo();
    await mongo.client.db("history").createCollection(METRICS_COLLECTION);

    await expect(
      createMongoStore({ client: mongo.client, dbName: "history", retentionDays: 30 }),
    ).rejects.toThrow(/not a time-series collection/);
  });

  it("retries an insert after a network error and stores each observation once", async () => {
    const mongo = createInMemoryMongo();
    const store = await createMongoStore({
      client: mongo.client,
      dbName: "history",
      retentionDays: 30,
      retry: noWait,
    });
    mongo.failNext(2, new MongoNetworkError("connection reset"));

    const result = await store.addSamples([
      buildSample("2026-11-02T10:00:00Z", "cml", { labsCount: 1 }),
      buildSample("2026-11-02T10:05:00Z", "cml", { labsCount: 2 }),
    ]);

    expect(result).toEqual({ inserted: 2, duplicates: 0 });
    expect(mongo.documents("history", METRICS_COLLECTION)).toHaveLength(2);
  });

  it("turns persistent transient failures into StoreUnavailableError", async () => {
    const mongo = createInMemoryMongo();
    const store = await createMongoStore({
      client: mongo.client,
      dbName: "history",
      retentionDays: 30,
      retry: { ...noWait, maxAttempts: 3 },
    });
    mongo.failNext(100, new MongoNetworkError("connection refused"));

    await expect(store.addSamples([buildSample(FROM, "cml", { labsCount: 1 })])).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await expect(store.getAggregatedStats("worker-a", FROM, TO, 3600)).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });

  it("ignores duplicates that reached the collection anyway, in samples, limits and buckets", async () => {
    const mongo = createInMemoryMongo();
    const store = await createMongoStore({ client: mongo.client, dbName: "history", retentionDays: 30 });
    const first = buildSample("2026-11-02T10:00:00Z", "cloudwatch", { cpu: 10 });
    const second = buildSample("2026-11-02T10:05:00Z", "cloudwatch", { cpu: 40 });
    const cml = buildSample("2026-11-02T10:05:00Z", "cml", { cpuPercent: 5 });
    const raw = mongo.documents("history", METRICS_COLLECTION);
    for (const sample of [second, first, cml, first, second, first]) raw.push(toMetricDocument(sample));

    const samples = await store.getSamples("worker-a", FROM, TO);
    const limited = await store.getSamples("worker-a", FROM, TO, { limit: 2 });
    const buckets = await store.getAggregatedStats("worker-a", FROM, TO, 3600, { sources: ["cloudwatch"] });

    expect(samples.map((s) => [s.meta.source, s.cpu ?? s.cpuPercent])).toEqual([
      ["cloudwatch", 10],
      ["cloudwatch", 40],
      ["cml", 5],
    ]);
    expect(limited.map((s) => s.cpu)).toEqual([10, 40]);
    expect(buckets).toEqual([
      {
        start: new Date("2026-11-02T10:00:00Z"),
        source: "cloudwatch",
        count: 2,
        metrics: { cpu: { count: 2, avg: 25, min: 10, max: 40 } },
      },
    ]);
  });
});
